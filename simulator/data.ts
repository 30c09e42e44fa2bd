// Seeded, deterministic demo data: the same orders, assets and tenancies after every reset, with
// dates placed around "today" by the simulator's clock. Some fields are null on purpose (WCF
// writes them as i:nil="true") and some texts need escaping (&, <) or hold non-BMP characters.
import { londonDay } from './clock';
import { MasterStatus } from './statuses';

export interface Address {
  AddressLine1: string;
  AddressLine2: string | null;
  AddressLine3: string | null;
  Postcode: string;
  Town: string;
  Uprn: string | null;
}

export interface RepairTask {
  Comments: string | null;
  EstimatedCost: string;
  Quantity: string;
  SORCode: string;
  SORDescription: string;
  TaskNumber: number;
  UnitOfMeasure: string;
}

export interface WorkOrder {
  reference: string;
  uid: string;
  contractorCode: string;
  contractorName: string;
  assetReference: string;
  address: Address;
  description: string | null;
  priorityCode: string;
  priorityDescription: string;
  raisedDate: number;
  targetDate: number | null;
  completedDate: number | null;
  masterStatus: MasterStatus;
  statusCode: string;
  statusDate: number | null;
  statusComments: string | null;
  estimatedCost: string;
  tasks: RepairTask[];
  trades: string[];
  tenantName: string | null;
}

export interface AssetComponent {
  ComponentCode: string;
  Condition: string | null;
  Description: string;
  InstallDate: number | null;
  LifeExpectancyYears: number;
}

export interface Asset {
  reference: string;
  address: Address;
  assetType: string;
  bedrooms: number;
  buildYear: number | null;
  components: AssetComponent[];
  tenure: string | null;
}

export interface Tenancy {
  reference: string;
  assetReference: string;
  startDate: number;
  endDate: number | null;
  rent: string;
  tenancyType: string;
  tenants: string[];
}

export interface SeedData {
  workOrders: WorkOrder[];
  assets: Asset[];
  tenancies: Tenancy[];
}

export const CONTRACTORS: Record<string, string> = {
  C001: 'Acme Property Services Ltd',
  C002: 'Northern Roofing & Guttering',
  C003: 'Brightwater Plumbing Ltd',
  C004: 'Sparks Electrical (UK) Ltd',
};

const ADDRESSES: Address[] = [
  {
    AddressLine1: '12 Acacia Avenue',
    AddressLine2: 'Moseley',
    AddressLine3: null,
    Postcode: 'B13 9QT',
    Town: 'Birmingham',
    Uprn: '100070512345',
  },
  {
    AddressLine1: 'Flat 3, Jubilee Court',
    AddressLine2: '45 Station Road',
    AddressLine3: 'Chorlton',
    Postcode: 'M21 0AB',
    Town: 'Manchester',
    Uprn: '77012345678',
  },
  {
    AddressLine1: '7 Heather Close',
    AddressLine2: null,
    AddressLine3: null,
    Postcode: 'LS6 2EF',
    Town: 'Leeds',
    Uprn: '72745612301',
  },
  {
    AddressLine1: '88 Kingsway',
    AddressLine2: 'Hove',
    AddressLine3: null,
    Postcode: 'BN3 4FA',
    Town: 'Brighton',
    Uprn: null,
  },
  {
    AddressLine1: '21 Ffordd y Parc',
    AddressLine2: 'Llandaff',
    AddressLine3: null,
    Postcode: 'CF5 2YN',
    Town: 'Cardiff',
    Uprn: '10023456789',
  },
  {
    AddressLine1: '3 Mill Lane',
    AddressLine2: 'Heaton',
    AddressLine3: null,
    Postcode: 'NE6 5RT',
    Town: 'Newcastle upon Tyne',
    Uprn: '4510012345',
  },
  {
    AddressLine1: 'Flat 14, Victoria House',
    AddressLine2: '2 Queen Street',
    AddressLine3: null,
    Postcode: 'BS1 4DJ',
    Town: 'Bristol',
    Uprn: '358012398',
  },
  {
    AddressLine1: '56 Elm Grove',
    AddressLine2: 'Southsea',
    AddressLine3: null,
    Postcode: 'PO5 1JF',
    Town: 'Portsmouth',
    Uprn: '1775012345',
  },
];

const SORS: { code: string; text: string; unit: string; cost: number }[] = [
  { code: '603001', text: 'Renew tap washer', unit: 'IT', cost: 18.5 },
  { code: '603107', text: 'Clear blocked waste pipe', unit: 'IT', cost: 42 },
  { code: '251013', text: 'Renew guttering & fittings', unit: 'LM', cost: 23.75 },
  { code: '830501', text: 'Renew socket outlet, double', unit: 'IT', cost: 36.2 },
  { code: '472231', text: 'Ease and adjust door', unit: 'IT', cost: 27 },
  { code: '613085', text: 'Service gas boiler', unit: 'IT', cost: 85 },
  { code: '210403', text: 'Renew roof tiles < 10 no.', unit: 'IT', cost: 120 },
  { code: '720119', text: 'Make good plaster to wall', unit: 'M2', cost: 31.4 },
];

const PRIORITIES: [string, string, number][] = [
  ['E', 'Emergency (24 hours)', 1],
  ['U', 'Urgent (3 days)', 3],
  ['R', 'Routine (28 days)', 28],
  ['P', 'Planned', 90],
];

const DESCRIPTIONS: (string | null)[] = [
  'Kitchen tap dripping constantly',
  'Gutter overflowing at rear & front',
  'Boiler pressure < 1 bar, no heating',
  'Socket in living room sparking',
  'Front door sticking, hard to lock',
  null,
  'Shower leaking through ceiling \u{1F6BF} (tenant photo sent)',
  'Damp patch on bedroom wall',
];

const TENANTS = [
  'Mrs A Khan',
  'Mr J O\u2019Brien',
  'Ms R Patel',
  'Mr D Evans',
  'Miss S Nowak',
  null,
  'Mr & Mrs T Hughes',
  'Mr L Okafor',
];

// Statuses of the seeded orders, cycling, with the organisation status code each is shown with.
const SEEDED_STATUSES: [MasterStatus, string][] = [
  ['Entered', 'ENT'],
  ['Issued', 'ISS'],
  ['WorkInProgress', 'WIP'],
  ['Issued', 'ISS'],
  ['OnHold', 'HOLD'],
  ['Complete', 'COMP'],
  ['Issued', 'ISS'],
  ['Cancelled', 'CANC'],
  ['WorkInProgress', 'WIP'],
  ['AwaitingAuthorisation', 'AUTH'],
];

/** Small deterministic PRNG (mulberry32) so every reset gives the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (rand: () => number, n: number): string =>
  Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

export function guidFrom(rand: () => number): string {
  return `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`;
}

const money = (n: number): string => n.toFixed(2);

export function seed(now: number): SeedData {
  const rand = prng(20230601);
  const assets: Asset[] = ADDRESSES.map((address, i) => ({
    reference: `A${String(100200 + i * 7).padStart(7, '0')}`,
    address,
    assetType: i % 3 === 1 ? 'Flat' : 'House',
    bedrooms: 1 + (i % 4),
    buildYear: i === 3 ? null : 1930 + i * 9,
    tenure: i === 5 ? null : 'Social Rent',
    components: [
      {
        ComponentCode: 'KIT',
        Condition: 'Good',
        Description: 'Kitchen',
        InstallDate: londonDay(now, -365 * (3 + i)),
        LifeExpectancyYears: 20,
      },
      {
        ComponentCode: 'BLR',
        Condition: i % 2 ? 'Poor' : 'Fair',
        Description: 'Gas boiler',
        InstallDate: londonDay(now, -365 * (8 + i)),
        LifeExpectancyYears: 15,
      },
      ...(i % 2
        ? []
        : [
            {
              ComponentCode: 'ROOF',
              Condition: null,
              Description: 'Pitched roof, concrete tiles',
              InstallDate: null,
              LifeExpectancyYears: 60,
            },
          ]),
    ],
  }));
  const contractorCodes = Object.keys(CONTRACTORS);
  const workOrders: WorkOrder[] = [];
  for (let i = 0; i < 40; i++) {
    const asset = assets[i % assets.length];
    const [priorityCode, priorityDescription, days] = PRIORITIES[i % PRIORITIES.length];
    const [masterStatus, statusCode] = SEEDED_STATUSES[i % SEEDED_STATUSES.length];
    // raised between 30 days ago and 5 days ahead (planned work), at a working hour
    const raisedDate = londonDay(now, ((i * 7) % 36) - 30, 8 + (i % 9), (i * 13) % 60);
    const taskCount = 1 + (i % 3);
    const tasks: RepairTask[] = Array.from({ length: taskCount }, (_, t) => {
      const sor = SORS[(i + t * 3) % SORS.length];
      const qty = sor.unit === 'IT' ? 1 + (t % 2) : 2.5 + t;
      return {
        TaskNumber: t + 1,
        SORCode: sor.code,
        SORDescription: sor.text,
        UnitOfMeasure: sor.unit,
        Quantity: money(qty),
        EstimatedCost: money(qty * sor.cost),
        Comments: t === 1 ? 'Access via rear gate' : null,
      };
    });
    const estimated = tasks.reduce((s, t) => s + Number(t.EstimatedCost), 0);
    workOrders.push({
      reference: `WO${100001 + i}`,
      uid: guidFrom(rand),
      contractorCode: contractorCodes[i % contractorCodes.length],
      contractorName: CONTRACTORS[contractorCodes[i % contractorCodes.length]],
      assetReference: asset.reference,
      address: asset.address,
      description: DESCRIPTIONS[i % DESCRIPTIONS.length],
      priorityCode,
      priorityDescription,
      raisedDate,
      targetDate: priorityCode === 'P' && i % 2 ? null : raisedDate + days * 86400000,
      completedDate: masterStatus === 'Complete' ? raisedDate + 86400000 : null,
      masterStatus,
      statusCode,
      statusDate: null,
      statusComments: null,
      estimatedCost: money(estimated),
      tasks,
      trades: i % 4 === 0 ? [] : i % 4 === 1 ? ['Plumber'] : ['Carpenter', 'Plasterer'],
      tenantName: TENANTS[i % TENANTS.length],
    });
  }
  const tenancies: Tenancy[] = assets.slice(0, 6).map((a, i) => ({
    reference: `T${String(5001 + i)}`,
    assetReference: a.reference,
    startDate: londonDay(now, -400 * (i + 1)),
    endDate: i === 4 ? londonDay(now, 30) : null,
    rent: money(92.5 + i * 11.35),
    tenancyType: i === 2 ? 'Starter' : 'Assured',
    tenants: i === 1 ? ['Mr J O\u2019Brien', 'Mrs K O\u2019Brien'] : [TENANTS[i] ?? 'Mr P Smith'],
  }));
  return { workOrders, assets, tenancies };
}
