import { useState, type FormEvent } from "react";
import { api } from "./api";
import { useApp } from "./context";

export function Login<T>({ onSignedIn }: { onSignedIn: (me: T) => void }) {
  const { t } = useApp();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      onSignedIn(await api<T>("POST", "/api/auth/login", { email, password }));
    } catch (err) {
      setError(t("signInFailed", { error: (err as Error).message }));
    }
  };
  return (
    <form className="card login" onSubmit={submit}>
      <h1>{t("signIn")}</h1>
      <label>
        {t("email")}
        <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        {t("password")}
        <input
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      <button type="submit" className="primary">
        {t("signIn")}
      </button>
    </form>
  );
}
