import { useState } from "react";
import { api } from "../api";
import { useApp } from "../context";
import { DeepLinkView } from "./Integrations";
import { formatWhen } from "./logic";
import { Alert, Page, useLoad } from "./ui";

interface MyTelegram {
  linked: boolean;
  chat_title: string | null;
  linked_at: string | null;
}

export function ProfilePage({ name, email, role }: { name: string; email: string; role: string }) {
  const { t, lang } = useApp();
  const state = useLoad(() => api<MyTelegram>("GET", "/api/me/telegram"), []);
  const [link, setLink] = useState<{ deep_link: string; expires_at: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const makeLink = async () => {
    setError(null);
    try {
      setLink(await api("POST", "/api/me/telegram/link"));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const unlink = async () => {
    try {
      await api("DELETE", "/api/me/telegram");
      state.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Page title={t("navProfile")}>
      <dl className="facts">
        <dt>{t("name")}</dt>
        <dd>{name}</dd>
        <dt>{t("email")}</dt>
        <dd>{email}</dd>
        <dt>{t("role")}</dt>
        <dd>{t(`role_${role as "staff"}`)}</dd>
      </dl>
      <h2>{t("telegram")}</h2>
      <p className="muted">{t("profileTelegramIntro")}</p>
      {state.error ? <Alert text={t("notAvailable", { error: state.error })} /> : null}
      {state.data?.linked ? (
        <p data-testid="telegram-linked">
          {t("telegramLinked", { chat: state.data.chat_title ?? "", when: formatWhen(state.data.linked_at, lang) })}{" "}
          <button type="button" onClick={unlink}>
            {t("unlink")}
          </button>
        </p>
      ) : (
        <button type="button" className="primary" onClick={makeLink}>
          {t("makeMyLink")}
        </button>
      )}
      <DeepLinkView link={link} />
      <Alert text={error} />
    </Page>
  );
}
