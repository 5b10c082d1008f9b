/**
 * Application states and the transitions between them:
 * submitted → approved | rejected | withdrawn; rejected → submitted (a new
 * revision) | withdrawn. Approved and withdrawn are final.
 */
export const APPLICATION_STATES = [
  "submitted",
  "approved",
  "rejected",
  "withdrawn",
] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

export const APPLICATION_ACTIONS = [
  "approve",
  "reject",
  "resubmit",
  "withdraw",
] as const;
export type ApplicationAction = (typeof APPLICATION_ACTIONS)[number];

export const OPEN_STATES: readonly ApplicationState[] = [
  "submitted",
  "rejected",
];

export const STATE_LABELS: Record<ApplicationState, string> = {
  submitted: "на рассмотрении",
  approved: "одобрена",
  rejected: "отклонена",
  withdrawn: "отозвана",
};

const TRANSITIONS: Record<
  ApplicationAction,
  { from: readonly ApplicationState[]; to: ApplicationState }
> = {
  approve: { from: ["submitted"], to: "approved" },
  reject: { from: ["submitted"], to: "rejected" },
  resubmit: { from: ["rejected"], to: "submitted" },
  withdraw: { from: ["submitted", "rejected"], to: "withdrawn" },
};

export class TransitionError extends Error {
  constructor(
    readonly action: ApplicationAction,
    readonly from: ApplicationState,
  ) {
    super(
      `Заявку в состоянии «${STATE_LABELS[from]}» нельзя ${ACTION_VERBS[action]}: обновите страницу, чтобы увидеть её текущее состояние`,
    );
    this.name = "TransitionError";
  }
}

const ACTION_VERBS: Record<ApplicationAction, string> = {
  approve: "одобрить",
  reject: "отклонить",
  resubmit: "подать повторно",
  withdraw: "отозвать",
};

/** Returns the state after `action`, or throws TransitionError. */
export function nextState(
  from: ApplicationState,
  action: ApplicationAction,
): ApplicationState {
  const transition = TRANSITIONS[action];
  if (!transition.from.includes(from)) throw new TransitionError(action, from);
  return transition.to;
}

export function canTransition(
  from: ApplicationState,
  action: ApplicationAction,
): boolean {
  return TRANSITIONS[action].from.includes(from);
}

export function isOpenState(state: ApplicationState): boolean {
  return OPEN_STATES.includes(state);
}
