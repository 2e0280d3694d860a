import { defineComponent, h, type PropType } from "vue";
import { useChallenge, type FlowComposableOptions } from "@pushflow/vue";
import { ChallengeScreen } from "./challenge-screen.ts";

/**
 * The page: `useChallenge` starts the flow with @pushflow/browser once mounted (a reload resumes
 * it, one tab polls for all) and cancels it when the page goes away.
 */
export const ChallengePage = defineComponent({
  props: { options: { type: Object as PropType<FlowComposableOptions>, required: true } },
  setup(props) {
    const { snapshot } = useChallenge(props.options);
    return () => h(ChallengeScreen, { snapshot: snapshot.value });
  },
});
