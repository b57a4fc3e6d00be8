import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ReactElement, type RefObject } from "react";
import { api, ApiError, setCsrf } from "./api";
import { AppContext } from "./context";
import { FlowsList } from "./FlowsList";
import { initialLang, translate, type Key, type Lang } from "./i18n";
import { leavesPage, type LeaveGuard } from "./leaveGuard";
import { Login } from "./Login";
import { AudioPage } from "./admin/Audio";
import { BoxesPage } from "./admin/Boxes";
import { InboxPage } from "./admin/Inbox";
import { IntegrationsPage } from "./admin/Integrations";
import { AuditPage, CallsPage } from "./admin/Logs";
import { pagesFor, routeFor } from "./admin/logic";
import { NumbersPage } from "./admin/Numbers";
import { ProfilePage } from "./admin/Profile";
import { RetentionPage } from "./admin/Retention";
import { UsersPage } from "./admin/Users";

interface Me {
  id: number;
  name: string;
  email: string;
  role: string;
  csrf_token: string | null;
}

// The canvas (React Flow, dagre) loads only when a flow is opened: the admin pages and
// the staff inbox do not download it.
const Editor = lazy(() => import("./Editor").then((module) => ({ default: module.Editor })));

/** The location hash, changed only once the page being left agrees (its leave guard
 * saved its work or the user chose to lose it). In-app links are held before they
 * navigate; the back and forward buttons are put back when refused. */
function useGuardedHash(guard: RefObject<LeaveGuard | null>): string {
  const [hash, setHash] = useState(window.location.hash);
  const accepted = useRef(window.location.hash);
  useEffect(() => {
    let asking = false;
    let approved: string | null = null;
    const accept = (next: string) => {
      accepted.current = next;
      setHash(next);
    };
    const ask = (then: (ok: boolean) => void) => {
      if (asking || !guard.current) return;
      asking = true;
      void guard.current().then((ok) => {
        asking = false;
        then(ok);
      });
    };
    const onClick = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = (event.target as Element | null)?.closest?.("a[href^='#']");
      const href = link?.getAttribute("href");
      if (!href || !guard.current || !leavesPage(accepted.current, href)) return;
      event.preventDefault();
      ask((ok) => {
        if (!ok) return;
        approved = href;
        window.location.hash = href;
      });
    };
    const onChange = () => {
      const next = window.location.hash;
      if (next === approved || !guard.current || !leavesPage(accepted.current, next)) {
        approved = null;
        return accept(next);
      }
      ask((ok) => {
        if (ok) accept(window.location.hash);
        else window.history.replaceState(null, "", accepted.current || window.location.pathname);
      });
    };
    document.addEventListener("click", onClick, true);
    window.addEventListener("hashchange", onChange);
    return () => {
      document.removeEventListener("click", onClick, true);
      window.removeEventListener("hashchange", onChange);
    };
  }, [guard]);
  return hash;
}

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const leaveGuard = useRef<LeaveGuard | null>(null);
  const hash = useGuardedHash(leaveGuard);
  const t = useCallback(
    (key: Key, vars?: Record<string, string | number>) => translate(lang, key, vars),
    [lang],
  );
  const setLeaveGuard = useCallback((guard: LeaveGuard | null) => {
    leaveGuard.current = guard;
  }, []);
  const app = useMemo(() => ({ lang, t, setLeaveGuard }), [lang, t, setLeaveGuard]);

  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem("ivr.lang", lang);
  }, [lang]);

  useEffect(() => {
    api<Me>("GET", "/api/me")
      .then((user) => {
        setCsrf(user.csrf_token);
        setMe(user);
      })
      .catch((error: unknown) => {
        if (!(error instanceof ApiError) || error.status !== 401) console.warn(error);
        setMe(null);
      });
  }, []);

  const signOut = async () => {
    if (leaveGuard.current && !(await leaveGuard.current())) return;
    await api("POST", "/api/auth/logout").catch(() => undefined);
    setCsrf(null);
    setMe(null);
  };

  const match = /^#\/flows\/(\d+)/.exec(hash);
  let page;
  if (me === undefined) page = <p className="centre">{t("loading")}</p>;
  else if (me === null)
    page = (
      <Login
        onSignedIn={(user: Me) => {
          setCsrf(user.csrf_token);
          setMe(user);
        }}
      />
    );
  else if (match)
    page = (
      <Suspense fallback={<p className="centre">{t("loading")}</p>}>
        <Editor key={match[1]} flowId={Number(match[1])} />
      </Suspense>
    );
  else {
    const route = routeFor(hash, me.role);
    const pages: Record<string, () => ReactElement> = {
      flows: () => <FlowsList />,
      numbers: () => <NumbersPage />,
      boxes: () => <BoxesPage />,
      inbox: () => <InboxPage />,
      audio: () => <AudioPage />,
      users: () => <UsersPage />,
      integrations: () => <IntegrationsPage />,
      retention: () => <RetentionPage />,
      audit: () => <AuditPage />,
      calls: () => <CallsPage />,
      profile: () => <ProfilePage name={me.name} email={me.email} role={me.role} />,
    };
    page = <div className="admin-page">{pages[route]()}</div>;
  }
  const current = me ? (match ? "flows" : routeFor(hash, me.role)) : "";

  return (
    <AppContext.Provider value={app}>
      <div className="app">
        <header className="topbar">
          <a className="brand" href="#/">
            ☎ {t("appName")}
          </a>
          {me ? (
            <nav className="mainnav" aria-label={t("mainNav")}>
              {pagesFor(me.role).map((p) => (
                <a key={p.route} href={`#/${p.route}`} aria-current={current === p.route ? "page" : undefined}>
                  {t(p.label)}
                </a>
              ))}
            </nav>
          ) : null}
          <span className="spacer" />
          <label className="lang">
            <span className="visually-hidden">{t("language")}</span>
            <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} aria-label={t("language")}>
              <option value="en">English</option>
              <option value="da">Dansk</option>
            </select>
          </label>
          {me ? (
            <>
              <span className="who">{me.name}</span>
              <button type="button" onClick={signOut}>
                {t("signOut")}
              </button>
            </>
          ) : null}
        </header>
        <main className="page">{page}</main>
      </div>
    </AppContext.Provider>
  );
}
