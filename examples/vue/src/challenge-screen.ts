import { defineComponent, h, ref, type PropType, type VNode } from "vue";
import type { ChallengeStoreSnapshot } from "@pushflow/vue";

/** A heading, a note and the buttons of a screen. */
function panel(title: string, note: string | undefined, ...children: VNode[]) {
  return h("section", { "aria-live": "polite" }, [h("h1", title), note ? h("p", note) : null, ...children]);
}

/**
 * The push-challenge screen: one branch per state of the challenge, one per outcome. It reads
 * `useChallenge`'s snapshot and calls the actions the state allows: the flow logic stays in core.
 */
export const ChallengeScreen = defineComponent({
  props: { snapshot: { type: Object as PropType<ChallengeStoreSnapshot>, required: true } },
  setup(props) {
    const code = ref("");
    return () => {
      const { view, outcome, actions, resendInSeconds } = props.snapshot;
      if (outcome) return panel(outcome.outcome === "approved" ? "You're signed in" : "Sign-in ended", outcome.reason);
      if (!view) return panel("Signing in…", undefined);
      const button = (label: string, action: (() => void) | undefined) => (action ? [h("button", { type: "button", onClick: action }, label)] : []);
      const cancel = button("Cancel", actions.cancel);
      const form = (title: string, submit: ((value: string) => void) | undefined, ...more: VNode[]) =>
        panel(
          title,
          view.codeError,
          h("form", { onSubmit: (event: Event) => (event.preventDefault(), submit?.(code.value)) }, [
            h("input", { value: code.value, onInput: (event: Event) => (code.value = event.target instanceof HTMLInputElement ? event.target.value : "") }),
            h("button", { type: "submit", disabled: !submit }, "Verify"),
          ]),
          ...more,
          ...cancel,
        );
      switch (view.state) {
        case "listing":
          return panel("Looking up your devices…", undefined, ...cancel);
        case "retryingList":
        case "retryingChallenge":
          return panel("Can't reach the server", "Trying again in a moment…", ...cancel);
        case "choosing":
          return panel("Choose a device", undefined, ...view.choices.flatMap((c) => button(c.name ?? c.id, actions.choose && (() => actions.choose?.(c.id)))), ...cancel);
        case "challenging":
          return panel("Sending a notification…", undefined, ...cancel);
        case "challenged.polling":
          return panel(
            "Check your phone",
            actions.resend ? undefined : `Resend available in ${resendInSeconds ?? "a few"} s`,
            ...button("Resend notification", actions.resend),
            ...button("Use a one-time code", actions.useOtp),
            ...button("Use a recovery code", actions.useRecoveryCode),
            ...cancel,
          );
        case "challenged.resending":
          return panel("Sending another notification…", undefined, ...cancel);
        case "challenged.otpEntry":
          return form("Enter the code from the Guardian app", actions.submitOtp, ...button("Use a recovery code", actions.useRecoveryCode), ...button("Back to the notification", actions.backToPush));
        case "challenged.recoveryEntry":
          return form("Enter a recovery code", actions.submitRecoveryCode, ...button("Use a one-time code", actions.useOtp), ...button("Back to the notification", actions.backToPush));
        case "challenged.verifyingOtp":
        case "challenged.verifyingRecoveryCode":
          return panel("Checking your code…", undefined);
        default:
          // A state this screen does not know (a newer pushflow): say so rather than show nothing.
          return panel("Please wait…", view.state);
      }
    };
  },
});
