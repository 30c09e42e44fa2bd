// WSRepairContractorService: the token travels as the inherited WSRequestBase.Token member, so it
// is the first element of <request>, in the base namespace. Refused business actions answer
// IsValid false with an InvalidReason, never a fault, as Cx does.
import { ServiceContract, arrayOf, contract, dcNamespace } from '../contract';
import { CONTRACTORS, WorkOrder } from '../data';
import { SimState } from '../state';
import { MASTER_STATUSES, MASTER_STATUS_NAMES, STATUS_CODES, canMove } from '../statuses';
import {
  COMMON_NS,
  PropertyAddress,
  WSRequestBase,
  WSResponseBase,
  addressValue,
  invalid,
  valid,
} from './shared-types';

export const REPAIRS_NS = dcNamespace('Modules.Repairs');
export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

const MasterStatusType = {
  kind: 'enum' as const,
  name: 'RepairMasterStatus',
  ns: REPAIRS_NS,
  values: [...MASTER_STATUSES],
};

const GetContractorWorkOrdersRequest = contract(
  'GetContractorWorkOrdersRequest',
  REPAIRS_NS,
  [
    { name: 'ContractorCode', type: 'string' },
    { name: 'RaisedFrom', type: 'dateTime', nullable: true },
    { name: 'RaisedTo', type: 'dateTime', nullable: true },
    { name: 'RepairStatusCode', type: 'string' },
  ],
  WSRequestBase,
);

const WorkOrderSummary = contract('WorkOrderSummary', REPAIRS_NS, [
  { name: 'ContractorCode', type: 'string' },
  { name: 'PriorityCode', type: 'string' },
  { name: 'RaisedDate', type: 'dateTime' },
  { name: 'RepairMasterStatus', type: MasterStatusType },
  { name: 'RepairStatusCode', type: 'string' },
  { name: 'ShortAddress', type: 'string' },
  { name: 'TargetDate', type: 'dateTime', nullable: true },
  { name: 'WorkOrderReference', type: 'string' },
  { name: 'WorkOrderUid', type: 'guid' },
]);

const GetContractorWorkOrdersResponse = contract(
  'GetContractorWorkOrdersResponse',
  REPAIRS_NS,
  [
    { name: 'TotalCount', type: 'int' },
    { name: 'WorkOrders', type: arrayOf(WorkOrderSummary) },
  ],
  WSResponseBase,
);

// Cx: the Uid is mandatory (the empty GUID is sent when only the reference is known).
const GetRepairWorkOrderDetailsRequest = contract(
  'GetRepairWorkOrderDetailsRequest',
  REPAIRS_NS,
  [
    { name: 'WorkOrderReference', type: 'string' },
    { name: 'WorkOrderUid', type: 'guid', required: true },
  ],
  WSRequestBase,
);

const RepairTask = contract('RepairTask', REPAIRS_NS, [
  { name: 'Comments', type: 'string' },
  { name: 'EstimatedCost', type: 'decimal' },
  { name: 'Quantity', type: 'decimal' },
  { name: 'SORCode', type: 'string' },
  { name: 'SORDescription', type: 'string' },
  { name: 'TaskNumber', type: 'int' },
  { name: 'UnitOfMeasure', type: 'string' },
]);

const RepairWorkOrder = contract('RepairWorkOrder', REPAIRS_NS, [
  { name: 'Address', type: PropertyAddress },
  { name: 'AssetReference', type: 'string' },
  { name: 'CompletedDate', type: 'dateTime', nullable: true },
  { name: 'ContractorCode', type: 'string' },
  { name: 'ContractorName', type: 'string' },
  { name: 'Description', type: 'string' },
  { name: 'EstimatedCost', type: 'decimal' },
  { name: 'PriorityCode', type: 'string' },
  { name: 'PriorityDescription', type: 'string' },
  { name: 'RaisedDate', type: 'dateTime' },
  { name: 'RepairMasterStatus', type: MasterStatusType },
  { name: 'RepairStatusCode', type: 'string' },
  { name: 'RepairStatusDescription', type: 'string' },
  { name: 'StatusComments', type: 'string' },
  { name: 'TargetDate', type: 'dateTime', nullable: true },
  { name: 'Tasks', type: arrayOf(RepairTask) },
  { name: 'TenantName', type: 'string' },
  { name: 'Trades', type: arrayOf('string') },
  { name: 'WorkOrderReference', type: 'string' },
  { name: 'WorkOrderUid', type: 'guid' },
]);

const GetRepairWorkOrderDetailsResponse = contract(
  'GetRepairWorkOrderDetailsResponse',
  REPAIRS_NS,
  [{ name: 'WorkOrder', type: RepairWorkOrder }],
  WSResponseBase,
);

const GetRepairWorkOrderDetailsDescriptionResponse = contract(
  'GetRepairWorkOrderDetailsDescriptionResponse',
  REPAIRS_NS,
  [
    { name: 'Description', type: 'string' },
    { name: 'WorkOrderReference', type: 'string' },
  ],
  WSResponseBase,
);

const UpdateRepairWorksOrderStatusRequest = contract(
  'UpdateRepairWorksOrderStatusRequest',
  REPAIRS_NS,
  [
    { name: 'Comments', type: 'string' },
    { name: 'RepairStatusCode', type: 'string' },
    { name: 'StatusDate', type: 'dateTime', nullable: true },
    { name: 'WorkOrderReference', type: 'string' },
    { name: 'WorkOrderUid', type: 'guid', required: true },
  ],
  WSRequestBase,
);

const UpdateRepairWorksOrderStatusResponse = contract(
  'UpdateRepairWorksOrderStatusResponse',
  REPAIRS_NS,
  [
    { name: 'RepairStatusCode', type: 'string' },
    { name: 'WorkOrderReference', type: 'string' },
  ],
  WSResponseBase,
);

const GetVATCodesRequest = contract('GetVATCodesRequest', REPAIRS_NS, [], WSRequestBase);

const VATCode = contract('VATCode', COMMON_NS, [
  { name: 'Code', type: 'string' },
  { name: 'Description', type: 'string' },
  { name: 'Rate', type: 'decimal' },
]);

const GetVATCodesResponse = contract(
  'GetVATCodesResponse',
  REPAIRS_NS,
  [{ name: 'VATCodes', type: arrayOf(VATCode) }],
  WSResponseBase,
);

const VAT_CODES = [
  { Code: 'S', Description: 'Standard rate', Rate: '20.00' },
  { Code: 'R', Description: 'Reduced rate', Rate: '5.00' },
  { Code: 'Z', Description: 'Zero rated', Rate: '0.00' },
  { Code: 'E', Description: 'Exempt', Rate: '0.00' },
  { Code: 'O', Description: 'Outside the scope of VAT', Rate: '0.00' },
];

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

function findOrder(state: SimState, req: Record<string, unknown>): WorkOrder | string {
  const ref = text(req.WorkOrderReference);
  // Cx: the reference wins when both identifiers are given
  if (ref) {
    return (
      state.data.workOrders.find((w) => w.reference.toUpperCase() === ref.toUpperCase()) ??
      `Work order '${ref}' not found.`
    );
  }
  const uid = typeof req.WorkOrderUid === 'string' ? req.WorkOrderUid : EMPTY_GUID;
  if (uid === EMPTY_GUID) return 'A WorkOrderReference or a WorkOrderUid is required.';
  return state.data.workOrders.find((w) => w.uid === uid) ?? `Work order with Uid '${uid}' not found.`;
}

function summary(w: WorkOrder): Record<string, unknown> {
  return {
    ContractorCode: w.contractorCode,
    PriorityCode: w.priorityCode,
    RaisedDate: w.raisedDate,
    RepairMasterStatus: w.masterStatus,
    RepairStatusCode: w.statusCode,
    ShortAddress: `${w.address.AddressLine1}, ${w.address.Postcode}`,
    TargetDate: w.targetDate,
    WorkOrderReference: w.reference,
    WorkOrderUid: w.uid,
  };
}

/** n synthetic summaries for benchmarks, produced while they are written. */
function* generated(n: number, contractorCode: string, now: number): Generator<Record<string, unknown>> {
  const streets = ['Acacia Avenue', 'Station Road', 'Heather Close', 'Kingsway', 'Mill Lane', 'Elm Grove'];
  for (let i = 0; i < n; i++) {
    const raised = now - (i % 43200) * 60000;
    yield {
      ContractorCode: contractorCode,
      PriorityCode: 'RUPE'[i % 4],
      RaisedDate: raised,
      RepairMasterStatus: i % 5 ? 'Issued' : 'WorkInProgress',
      RepairStatusCode: i % 5 ? 'ISS' : 'WIP',
      ShortAddress: `${1 + (i % 200)} ${streets[i % streets.length]}, B${1 + (i % 40)} ${i % 10}AB`,
      TargetDate: i % 7 ? raised + 28 * 86400000 : null,
      WorkOrderReference: `WO${String(500000 + i)}`,
      WorkOrderUid: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    };
  }
}

export function repairContractorService(state: SimState): ServiceContract {
  return {
    name: 'WSRepairContractorService',
    operations: [
      {
        name: 'GetContractorWorkOrders',
        tokenShape: 'member',
        request: GetContractorWorkOrdersRequest,
        response: GetContractorWorkOrdersResponse,
        handler(req) {
          const code = text(req.ContractorCode).toUpperCase();
          if (state.listSize !== null) {
            return valid({
              TotalCount: state.listSize,
              WorkOrders: generated(state.listSize, code || 'C001', state.now()),
            });
          }
          if (!code) return invalid('ContractorCode is required.', { TotalCount: 0, WorkOrders: null });
          if (!Object.hasOwn(CONTRACTORS, code))
            return invalid(`Contractor '${code}' not found.`, { TotalCount: 0, WorkOrders: null });
          const status = text(req.RepairStatusCode).toUpperCase();
          const from = typeof req.RaisedFrom === 'number' ? req.RaisedFrom : -Infinity;
          const to = typeof req.RaisedTo === 'number' ? req.RaisedTo : Infinity;
          const list = state.data.workOrders
            .filter(
              (w) =>
                w.contractorCode === code &&
                (!status || w.statusCode === status) &&
                w.raisedDate >= from &&
                w.raisedDate <= to,
            )
            .sort((a, b) => a.raisedDate - b.raisedDate)
            .map(summary);
          return valid({ TotalCount: list.length, WorkOrders: list });
        },
      },
      {
        name: 'GetRepairWorkOrderDetails',
        tokenShape: 'member',
        request: GetRepairWorkOrderDetailsRequest,
        response: GetRepairWorkOrderDetailsResponse,
        handler(req) {
          const w = findOrder(state, req);
          if (typeof w === 'string') return invalid(w, { WorkOrder: null });
          return valid({
            WorkOrder: {
              Address: addressValue(w.address),
              AssetReference: w.assetReference,
              CompletedDate: w.completedDate,
              ContractorCode: w.contractorCode,
              ContractorName: w.contractorName,
              Description: w.description,
              EstimatedCost: w.estimatedCost,
              PriorityCode: w.priorityCode,
              PriorityDescription: w.priorityDescription,
              RaisedDate: w.raisedDate,
              RepairMasterStatus: w.masterStatus,
              RepairStatusCode: w.statusCode,
              RepairStatusDescription: STATUS_CODES[w.statusCode]?.description ?? null,
              StatusComments: w.statusComments,
              TargetDate: w.targetDate,
              Tasks: w.tasks,
              TenantName: w.tenantName,
              Trades: w.trades,
              WorkOrderReference: w.reference,
              WorkOrderUid: w.uid,
            },
          });
        },
      },
      {
        name: 'GetRepairWorkOrderDetailsDescription',
        tokenShape: 'member',
        request: GetRepairWorkOrderDetailsRequest,
        response: GetRepairWorkOrderDetailsDescriptionResponse,
        handler(req) {
          const w = findOrder(state, req);
          if (typeof w === 'string') return invalid(w, { Description: null, WorkOrderReference: null });
          return valid({ Description: w.description, WorkOrderReference: w.reference });
        },
      },
      {
        name: 'UpdateRepairWorksOrderStatus',
        tokenShape: 'member',
        request: UpdateRepairWorksOrderStatusRequest,
        response: UpdateRepairWorksOrderStatusResponse,
        handler(req) {
          const w = findOrder(state, req);
          if (typeof w === 'string') return invalid(w, { RepairStatusCode: null, WorkOrderReference: null });
          const keep = { RepairStatusCode: w.statusCode, WorkOrderReference: w.reference };
          const code = text(req.RepairStatusCode).toUpperCase();
          const target = Object.hasOwn(STATUS_CODES, code) ? STATUS_CODES[code] : undefined;
          if (!target) return invalid(`Unknown repair status code '${text(req.RepairStatusCode)}'.`, keep);
          if (!canMove(w.masterStatus, target.master)) {
            return invalid(
              `Cannot change status from ${MASTER_STATUS_NAMES[w.masterStatus]} to ${MASTER_STATUS_NAMES[target.master]}.`,
              keep,
            );
          }
          const when = typeof req.StatusDate === 'number' ? req.StatusDate : state.now();
          w.masterStatus = target.master;
          w.statusCode = code;
          w.statusDate = when;
          w.statusComments = typeof req.Comments === 'string' ? req.Comments : null;
          if (target.master === 'Complete') w.completedDate = when;
          return valid({ RepairStatusCode: w.statusCode, WorkOrderReference: w.reference });
        },
      },
      {
        // Cx spells this one with a lower-case g
        name: 'getVATCodes',
        tokenShape: 'member',
        request: GetVATCodesRequest,
        response: GetVATCodesResponse,
        handler: () => valid({ VATCodes: VAT_CODES }),
      },
    ],
  };
}
