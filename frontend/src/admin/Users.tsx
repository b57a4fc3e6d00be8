import { useState, type FormEvent } from "react";
import { api, fieldErrors } from "../api";
import { useApp } from "../context";
import { formatWhen } from "./logic";
import { Alert, Field, Page, Status, useLoad } from "./ui";

interface UserRow {
  id: number;
  name: string;
  email: string;
  phone: string | null;
  role: string;
  active: boolean;
  last_login_at: string | null;
}
const ROLES = ["staff", "org_admin"] as const;

function UserEdit({ user, onSaved, onCancel }: { user: UserRow; onSaved: (u: UserRow) => void; onCancel: () => void }) {
  const { t } = useApp();
  const [name, setName] = useState(user.name);
  const [email, setEmail] = useState(user.email);
  const [role, setRole] = useState(user.role);
  const [active, setActive] = useState(user.active);
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(null);
    const body: Record<string, unknown> = {};
    if (name !== user.name) body.name = name;
    if (email !== user.email) body.email = email;
    if (role !== user.role) body.role = role;
    if (active !== user.active) body.active = active;
    if (password) body.password = password;
    try {
      onSaved(await api<UserRow>("PATCH", `/api/users/${user.id}`, body));
    } catch (e) {
      setErrors(fieldErrors(e));
      setError((e as Error).message);
    }
  };
  return (
    <form className="edit-user" onSubmit={submit} aria-label={t("editUser", { name: user.name })}>
      <div className="grid-form">
        <Field label={t("name")} error={errors.name}>
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label={t("email")} error={errors.email}>
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label={t("role")} error={errors.role}>
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            {(ROLES as readonly string[]).includes(role) ? null : <option value={role}>{role}</option>}
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role_${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("newPassword")} error={errors.password} hint={t("newPasswordHint")}>
          <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
          {t("active")}
        </label>
      </div>
      {Object.keys(errors).length === 0 ? <Alert text={error} /> : null}
      <div className="row">
        <button type="submit" className="primary">
          {t("save")}
        </button>
        <button type="button" onClick={onCancel}>
          {t("cancel")}
        </button>
      </div>
    </form>
  );
}

function NewUser({ onCreated }: { onCreated: (u: UserRow) => void }) {
  const { t } = useApp();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState("staff");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(null);
    try {
      onCreated(await api<UserRow>("POST", "/api/users", { name: name.trim(), email: email.trim(), password, role }));
      setName("");
      setEmail("");
      setPassword("");
    } catch (e) {
      setErrors(fieldErrors(e));
      setError((e as Error).message);
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="new-user-title" className="new-user">
      <h2 id="new-user-title">{t("newUser")}</h2>
      <div className="grid-form">
        <Field label={t("name")} error={errors.name}>
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label={t("email")} error={errors.email}>
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label={t("password")} error={errors.password}>
          <input type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <Field label={t("role")} error={errors.role}>
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role_${r}`)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {Object.keys(errors).length === 0 ? <Alert text={error} /> : null}
      <button type="submit" className="primary">
        {t("createUser")}
      </button>
    </form>
  );
}

export function UsersPage() {
  const { t, lang } = useApp();
  const [editing, setEditing] = useState<number | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const users = useLoad(() => api<UserRow[]>("GET", "/api/users"), []);
  const remove = async (user: UserRow) => {
    if (!window.confirm(t("confirmDeleteUser", { name: user.name }))) return;
    try {
      await api("DELETE", `/api/users/${user.id}`);
      users.setData((list) => (list ?? []).filter((u) => u.id !== user.id));
      setStatus(t("deleted"));
    } catch (e) {
      setStatus((e as Error).message);
    }
  };
  return (
    <Page title={t("navUsers")} wide>
      <Status text={status} />
      <Alert text={users.error} />
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">{t("name")}</th>
            <th scope="col">{t("email")}</th>
            <th scope="col">{t("role")}</th>
            <th scope="col">{t("lastLogin")}</th>
            <th scope="col">
              <span className="visually-hidden">{t("actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(users.data ?? []).map((user) =>
            editing === user.id ? (
              <tr key={user.id}>
                <td colSpan={5}>
                  <UserEdit
                    user={user}
                    onCancel={() => setEditing(null)}
                    onSaved={(saved) => {
                      users.setData((list) => (list ?? []).map((u) => (u.id === saved.id ? saved : u)));
                      setEditing(null);
                      setStatus(t("savedUser", { name: saved.name }));
                    }}
                  />
                </td>
              </tr>
            ) : (
              <tr key={user.id} className={user.active ? "" : "inactive"}>
                <th scope="row">{user.name}</th>
                <td>{user.email}</td>
                <td>
                  {t(`role_${user.role as "staff"}`)}
                  {user.active ? null : <span className="tag">{t("inactive")}</span>}
                </td>
                <td>{formatWhen(user.last_login_at, lang)}</td>
                <td className="actions">
                  <button type="button" className="small" aria-label={t("editUser", { name: user.name })} onClick={() => setEditing(user.id)}>
                    {t("edit")}
                  </button>
                  <button type="button" className="small" aria-label={t("deleteUser", { name: user.name })} onClick={() => remove(user)}>
                    {t("delete")}
                  </button>
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
      <NewUser
        onCreated={(u) => {
          users.setData((list) => [...(list ?? []), u]);
          setStatus(t("savedUser", { name: u.name }));
        }}
      />
    </Page>
  );
}
