import { useState, type FormEvent, type ReactNode } from "react";
import type { ChallengeActions, ChallengeOutput, ChallengeView } from "@pushflow/react";
import { METHOD_TEXT, OUTCOME_TEXT } from "./outcome-text.ts";

export interface ChallengeScreenProps {
  /** The flow's whitelisted view (core's `challengeView`, or a handle's `view()`): no secret in it. */
  readonly view: ChallengeView;
  /** The outcome, once the flow is done. Only the new recovery code of it is shown; tokens never. */
  readonly output?: ChallengeOutput | undefined;
  /** The actions the current state allows (from `useChallenge`); the others are absent. */
  readonly actions: ChallengeActions;
  /** Whole seconds until a resend is allowed, once a push went out. */
  readonly resendInSeconds?: number | undefined;
}

/**
 * The push-challenge screen: one branch per state of the challenge machine, and one per outcome.
 * It only reads the view and calls the actions the state allows: the flow logic stays in @pushflow/core.
 */
export function ChallengeScreen({ view, output, actions, resendInSeconds }: ChallengeScreenProps) {
  if (output) return <OutcomeScreen output={output} />;
  const device = view.choices.find((c) => c.id === view.authenticatorId);
  const cancel = actions.cancel ? <button type="button" onClick={actions.cancel}>Cancel</button> : null;
  const { choose, resend, useOtp, useRecoveryCode, backToPush, submitOtp, submitRecoveryCode } = actions;
  const toOtp = useOtp ? <button type="button" onClick={useOtp}>Use a one-time code</button> : null;
  const toRecovery = useRecoveryCode ? <button type="button" onClick={useRecoveryCode}>Use a recovery code</button> : null;
  const toPush = backToPush ? <button type="button" onClick={backToPush}>Back to the notification</button> : null;

  switch (view.state) {
    case "listing":
      return <Panel title="Looking up your devices…">{cancel}</Panel>;
    case "retryingList":
    case "retryingChallenge":
      return <Panel title="Can't reach the server" note="Trying again in a moment…">{cancel}</Panel>;
    case "choosing":
      return (
        <Panel title="Choose a device" note="Where should we send the notification?">
          <ul>
            {view.choices.map((c) => (
              <li key={c.id}>
                <button type="button" disabled={!choose} onClick={() => choose?.(c.id)}>{c.name ?? c.id}</button>
              </li>
            ))}
          </ul>
          {cancel}
        </Panel>
      );
    case "challenging":
      return <Panel title="Sending a notification…">{cancel}</Panel>;
    case "challenged.polling":
      return (
        <Panel title="Check your phone" note={`Approve the notification we sent${device?.name ? ` to ${device.name}` : ""}.`}>
          <button type="button" disabled={!resend} onClick={resend}>
            {resend ? "Resend notification" : resendInSeconds ? `Resend available in ${resendInSeconds} s` : "Resend available soon"}
          </button>
          {toOtp}
          {toRecovery}
          {cancel}
        </Panel>
      );
    case "challenged.resending":
      return <Panel title="Sending another notification…">{cancel}</Panel>;
    case "challenged.otpEntry":
      return (
        <CodeForm
          title="Enter the code from the Guardian app"
          label="6-digit code"
          error={view.codeError}
          submit={submitOtp}
        >
          {toRecovery}
          {toPush}
          {cancel}
        </CodeForm>
      );
    case "challenged.verifyingOtp":
      return <Panel title="Checking your code…" />;
    case "challenged.recoveryEntry":
      return (
        <CodeForm
          title="Enter a recovery code"
          label="Recovery code"
          error={view.codeError}
          submit={submitRecoveryCode}
        >
          {toOtp}
          {toPush}
          {cancel}
        </CodeForm>
      );
    case "challenged.verifyingRecoveryCode":
      return <Panel title="Checking your recovery code…" />;
    default:
      // A state this screen does not know (a newer pushflow): say so rather than show nothing.
      return <Panel title="Please wait…" note={view.state} />;
  }
}

/** The end of the flow: what happened and what to do next. */
export function OutcomeScreen({ output }: { readonly output: ChallengeOutput }) {
  const text = OUTCOME_TEXT[output.outcome];
  return (
    <Panel title={text.title} note={output.outcome === "approved" ? `Signed in ${METHOD_TEXT[output.method]}.` : output.reason}>
      {output.outcome === "approved" && output.newRecoveryCode !== undefined ? (
        <p role="alert">
          Your recovery code was used up. Save this new one now, it is shown only once: <code>{output.newRecoveryCode}</code>
        </p>
      ) : null}
      <p>{text.next}</p>
    </Panel>
  );
}

export function Panel({ title, note, children }: { readonly title: string; readonly note?: string; readonly children?: ReactNode }) {
  return (
    <section aria-live="polite">
      <h1>{title}</h1>
      {note ? <p>{note}</p> : null}
      {children}
    </section>
  );
}

function CodeForm(props: { title: string; label: string; error: string | undefined; submit: ((code: string) => void) | undefined; children: ReactNode }) {
  const [code, setCode] = useState("");
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    props.submit?.(code);
  };
  return (
    <Panel title={props.title}>
      <form onSubmit={onSubmit}>
        <label>
          {props.label} <input value={code} onChange={(e) => setCode(e.target.value)} autoComplete="one-time-code" />
        </label>
        {props.error ? <p role="alert">{props.error}</p> : null}
        <button type="submit" disabled={!props.submit}>Verify</button>
      </form>
      {props.children}
    </Panel>
  );
}
