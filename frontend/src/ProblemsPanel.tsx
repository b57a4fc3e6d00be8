// The Problems tab: the live validation's findings; each one leads to its step.
import { useApp } from "./context";
import type { ValidationResult } from "./types";

export function ProblemsPanel({
  validation,
  checking,
  onJump,
}: {
  validation: ValidationResult | null;
  checking: boolean;
  onJump: (node: string) => void;
}) {
  const { t } = useApp();
  return (
    <div className="problems">
      <p aria-live="polite">
        {checking
          ? t("checking")
          : validation && validation.findings.length === 0
            ? t("noFindings")
            : validation
              ? t("errorsWarnings", { e: validation.errors, w: validation.warnings })
              : ""}
      </p>
      <ul className="finding-list" data-testid="findings">
        {(validation?.findings ?? []).map((f, i) => (
          <li key={i} className={f.severity}>
            <button type="button" className="link" onClick={() => f.node && onJump(f.node)} disabled={!f.node}>
              <strong>{f.node ?? t("flowLevel")}</strong>
              {f.port ? ` · ${f.port}` : ""}
              {f.field ? ` · ${f.field}` : ""}: {f.message}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
