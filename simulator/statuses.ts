// Cx work-order statuses: a fixed internal workflow of master statuses, and organisation-specific
// status codes (what integrations send) that each map onto one master status.

export const MASTER_STATUSES = [
  'Entered',
  'Issued',
  'WorkInProgress',
  'OnHold',
  'AwaitingAuthorisation',
  'AwaitingPreInspection',
  'AwaitingVariationAuthorisation',
  'Varied',
  'PartiallyComplete',
  'Complete',
  'Cancelled',
  'FullyInvoiced',
] as const;
export type MasterStatus = (typeof MASTER_STATUSES)[number];

export const MASTER_STATUS_NAMES: Record<MasterStatus, string> = {
  Entered: 'Entered',
  Issued: 'Issued',
  WorkInProgress: 'Work In Progress',
  OnHold: 'On Hold',
  AwaitingAuthorisation: 'Awaiting Authorisation',
  AwaitingPreInspection: 'Awaiting Pre Inspection',
  AwaitingVariationAuthorisation: 'Awaiting Variation Authorisation',
  Varied: 'Varied',
  PartiallyComplete: 'Partially Complete',
  Complete: 'Complete',
  Cancelled: 'Cancelled',
  FullyInvoiced: 'Fully Invoiced',
};

/** Organisation status codes (demo organisation) and their master status and description. */
export const STATUS_CODES: Record<string, { master: MasterStatus; description: string }> = {
  ENT: { master: 'Entered', description: 'Logged' },
  ISS: { master: 'Issued', description: 'Issued to contractor' },
  WIP: { master: 'WorkInProgress', description: 'Work in progress' },
  HOLD: { master: 'OnHold', description: 'On hold' },
  AUTH: { master: 'AwaitingAuthorisation', description: 'Awaiting authorisation' },
  API: { master: 'AwaitingPreInspection', description: 'Awaiting pre-inspection' },
  AVA: { master: 'AwaitingVariationAuthorisation', description: 'Awaiting variation authorisation' },
  VAR: { master: 'Varied', description: 'Varied' },
  PCOMP: { master: 'PartiallyComplete', description: 'Partially complete' },
  COMP: { master: 'Complete', description: 'Work complete' },
  CANC: { master: 'Cancelled', description: 'Cancelled' },
  INV: { master: 'FullyInvoiced', description: 'Fully invoiced' },
};

// Exactly the moves the Cx documentation lists. Statuses it says nothing about allow no move here,
// so a client meets a refusal rather than a move real Cx might not make. Cancelled and Fully
// Invoiced are final.
const ALLOWED: Partial<Record<MasterStatus, MasterStatus[]>> = {
  Entered: ['Issued', 'OnHold', 'AwaitingAuthorisation', 'AwaitingPreInspection', 'Cancelled'],
  Issued: [
    'OnHold',
    'WorkInProgress',
    'AwaitingVariationAuthorisation',
    'AwaitingPreInspection',
    'Varied',
    'Complete',
    'Cancelled',
  ],
  WorkInProgress: [
    'OnHold',
    'AwaitingVariationAuthorisation',
    'AwaitingPreInspection',
    'Varied',
    'PartiallyComplete',
    'Complete',
    'Cancelled',
  ],
  OnHold: ['Issued'],
};

export function canMove(from: MasterStatus, to: MasterStatus): boolean {
  return ALLOWED[from]?.includes(to) ?? false;
}
