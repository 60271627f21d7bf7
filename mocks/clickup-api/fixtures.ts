// Seed data: the "Acme Ltd" workspace a small finance/operations team would really have.
// Dates are relative to now so "overdue" and "this week" stay meaningful whenever the mock runs.
import { ClickUpState, type Status } from './state.js';

const DAY = 86_400_000;

export const ACME = {
  teamId: '9012345678',
  users: { alice: 81000001, ben: 81000002, chloe: 81000003, dan: 81000004 },
  spaces: { finance: '90150001', operations: '90150002' },
  folders: { billing: '90160001', financeHidden: '90160002', vendors: '90160003', operationsHidden: '90160004' },
  lists: {
    accountsReceivable: '901700001',
    accountsPayable: '901700002',
    followUps: '901700003',
    vendorOnboarding: '901700004',
    office: '901700005',
  },
  fields: { invoiceAmount: 'c1f7a0d2-0001-4b7e-9a51-acme00000001', client: 'c1f7a0d2-0002-4b7e-9a51-acme00000002', invoiceNumber: 'c1f7a0d2-0003-4b7e-9a51-acme00000003', paymentStatus: 'c1f7a0d2-0004-4b7e-9a51-acme00000004' },
} as const;

const financeStatuses: Status[] = [
  { status: 'to do', type: 'open', color: '#d3d3d3' },
  { status: 'in progress', type: 'custom', color: '#4194f6' },
  { status: 'awaiting payment', type: 'custom', color: '#f9d900' },
  { status: 'complete', type: 'closed', color: '#6bc950' },
];
const operationsStatuses: Status[] = [
  { status: 'open', type: 'open', color: '#d3d3d3' },
  { status: 'in progress', type: 'custom', color: '#4194f6' },
  { status: 'review', type: 'custom', color: '#a875ff' },
  { status: 'closed', type: 'closed', color: '#6bc950' },
];

export function seedAcme(state: ClickUpState, now = Date.now()): ClickUpState {
  const { users, spaces, folders, lists, fields, teamId } = ACME;
  const people: Array<[number, string, string, string, number]> = [
    [users.alice, 'Alice Martin', 'alice@acme.example', '#7b68ee', 1],
    [users.ben, 'Ben Okafor', 'ben@acme.example', '#ff7800', 2],
    [users.chloe, 'Chloe Dubois', 'chloe@acme.example', '#0ab1a5', 3],
    [users.dan, 'Dan Reyes', 'dan@acme.example', '#e50000', 3],
  ];
  for (const [id, username, email, color, role] of people) {
    const initials = username.split(' ').map((w) => w[0]).join('');
    state.users.set(id, { id, username, email, color, initials, role });
  }
  state.authUserId = users.alice;
  state.teams.set(teamId, { id: teamId, name: 'Acme Ltd', color: '#536cfe', memberIds: people.map((p) => p[0]) });

  state.spaces.set(spaces.finance, {
    id: spaces.finance, teamId, name: 'Finance', statuses: financeStatuses,
    tags: [
      { name: 'invoice', tag_fg: '#800000', tag_bg: '#ffcccc' },
      { name: 'overdue', tag_fg: '#ffffff', tag_bg: '#e50000' },
      { name: 'urgent', tag_fg: '#ffffff', tag_bg: '#ff7800' },
      { name: 'q3', tag_fg: '#000000', tag_bg: '#c6f7d0' },
    ],
  });
  state.spaces.set(spaces.operations, {
    id: spaces.operations, teamId, name: 'Operations', statuses: operationsStatuses,
    tags: [
      { name: 'vendor', tag_fg: '#ffffff', tag_bg: '#0231e8' },
      { name: 'onboarding', tag_fg: '#000000', tag_bg: '#bdf4ff' },
    ],
  });

  state.folders.set(folders.billing, { id: folders.billing, spaceId: spaces.finance, name: 'Billing', hidden: false });
  state.folders.set(folders.financeHidden, { id: folders.financeHidden, spaceId: spaces.finance, name: 'hidden', hidden: true });
  state.folders.set(folders.vendors, { id: folders.vendors, spaceId: spaces.operations, name: 'Vendors', hidden: false });
  state.folders.set(folders.operationsHidden, { id: folders.operationsHidden, spaceId: spaces.operations, name: 'hidden', hidden: true });

  const addList = (id: string, folderId: string, name: string, content: string) =>
    state.lists.set(id, { id, folderId, name, content });
  addList(lists.accountsReceivable, folders.billing, 'Accounts Receivable', 'Customer invoices we are owed.');
  addList(lists.accountsPayable, folders.billing, 'Accounts Payable', 'Supplier bills to pay.');
  addList(lists.followUps, folders.financeHidden, 'Follow-ups', 'Chasers and calls to make.');
  addList(lists.vendorOnboarding, folders.vendors, 'Vendor Onboarding', 'New suppliers being set up.');
  addList(lists.office, folders.operationsHidden, 'Office', 'Office admin.');

  const billingLists = [lists.accountsReceivable, lists.accountsPayable];
  const created = now - 120 * DAY;
  state.fields.set(fields.invoiceAmount, {
    id: fields.invoiceAmount, name: 'Invoice Amount', type: 'currency', required: false, dateCreated: created,
    type_config: { precision: 2, currency_type: 'GBP', default: null }, listIds: billingLists,
  });
  state.fields.set(fields.client, {
    id: fields.client, name: 'Client', type: 'short_text', required: false, dateCreated: created,
    type_config: {}, listIds: [...billingLists, lists.followUps],
  });
  state.fields.set(fields.invoiceNumber, {
    id: fields.invoiceNumber, name: 'Invoice #', type: 'short_text', required: false, dateCreated: created,
    type_config: {}, listIds: billingLists,
  });
  state.fields.set(fields.paymentStatus, {
    id: fields.paymentStatus, name: 'Payment Status', type: 'drop_down', required: false, dateCreated: created,
    type_config: {
      default: 0, placeholder: null,
      options: [
        { id: 'a7e3c1b0-0001-4f00-8000-acmeopt00001', name: 'Unpaid', color: '#e50000', orderindex: 0 },
        { id: 'a7e3c1b0-0002-4f00-8000-acmeopt00002', name: 'Partially paid', color: '#f9d900', orderindex: 1 },
        { id: 'a7e3c1b0-0003-4f00-8000-acmeopt00003', name: 'Paid', color: '#6bc950', orderindex: 2 },
      ],
    },
    listIds: billingLists,
  });

  const at = (days: number) => now + days * DAY;
  const invoice = (n: string, client: string, amount: number, paid: number) => ({
    [fields.invoiceNumber]: n, [fields.client]: client, [fields.invoiceAmount]: amount, [fields.paymentStatus]: paid,
  });
  const t1 = state.addTask(lists.accountsReceivable, {
    name: 'Chase invoice INV-1042 (Globex)', custom_id: 'AR-101', status: 'awaiting payment', priority: 2,
    description: 'Invoice INV-1042 for £4,250.00 is 12 days overdue. Send a reminder and call accounts.',
    assignees: [users.ben], tags: ['invoice', 'overdue'], due_date: at(-2), date_created: at(-30), date_updated: at(-3),
    fieldValues: invoice('INV-1042', 'Globex Corporation', 4250, 0),
  });
  state.addTask(lists.accountsReceivable, {
    name: 'Send invoice INV-1051 (Initech)', custom_id: 'AR-102', status: 'to do', priority: 3,
    description: 'Monthly retainer for Initech, £1,800.00.', assignees: [users.chloe], tags: ['invoice'],
    due_date: at(3), date_created: at(-5), date_updated: at(-5), fieldValues: invoice('INV-1051', 'Initech', 1800, 0),
  });
  state.addTask(lists.accountsReceivable, {
    name: 'Reconcile INV-1037 part payment (Umbrella)', custom_id: 'AR-103', status: 'in progress', priority: 3,
    description: 'Umbrella paid £2,000.00 of £3,500.00; confirm the remainder date.', assignees: [users.ben, users.alice],
    tags: ['invoice', 'q3'], due_date: at(1), date_created: at(-20), date_updated: at(-1),
    fieldValues: invoice('INV-1037', 'Umbrella Corp', 3500, 1),
  });
  state.addTask(lists.accountsReceivable, {
    name: 'INV-1029 paid (Hooli)', custom_id: 'AR-104', status: 'complete', priority: 4, tags: ['invoice'],
    assignees: [users.chloe], due_date: at(-15), date_created: at(-45), date_updated: at(-14), date_closed: at(-14),
    date_done: at(-14), fieldValues: invoice('INV-1029', 'Hooli', 990, 2),
  });
  state.addTask(lists.accountsPayable, {
    name: 'Pay AWS bill (August)', custom_id: 'AP-201', status: 'to do', priority: 2, assignees: [users.alice],
    tags: ['urgent'], due_date: at(5), date_created: at(-2), date_updated: at(-2),
    fieldValues: { [fields.invoiceAmount]: 612.4, [fields.client]: 'Amazon Web Services' },
  });
  state.addTask(lists.followUps, {
    name: 'Call Globex accounts payable', status: 'to do', priority: 1, assignees: [users.ben], tags: ['overdue'],
    description: 'Ask for a payment date for INV-1042.', due_date: at(0), due_date_time: true,
    date_created: at(-1), date_updated: at(-1), fieldValues: { [fields.client]: 'Globex Corporation' },
  });
  state.addTask(lists.accountsReceivable, {
    name: 'Attach remittance advice', parent: t1.id, status: 'to do', assignees: [users.ben],
    date_created: at(-3), date_updated: at(-3),
  });
  const vendor = state.addTask(lists.vendorOnboarding, {
    name: 'Onboard Stark Industries as supplier', status: 'in progress', priority: 3, assignees: [users.dan],
    tags: ['vendor', 'onboarding'], due_date: at(7), start_date: at(-4), time_estimate: 3 * 3_600_000,
    description: 'Collect W-8BEN, bank details and sign the MSA.', date_created: at(-6), date_updated: at(-2),
  });
  state.addTask(lists.office, {
    name: 'Renew office insurance', status: 'open', priority: null, assignees: [users.dan], due_date: at(21),
    date_created: at(-10), date_updated: at(-10),
  });

  state.comments.push(
    { id: '90110001', taskId: t1.id, text: 'Reminder sent on Monday, no reply yet.', userId: users.ben, date: at(-3), resolved: false, assignee: null },
    { id: '90110002', taskId: t1.id, text: 'Escalate to their CFO if nothing by Friday.', userId: users.alice, date: at(-2), resolved: false, assignee: users.ben },
  );
  state.timeEntries.push(
    { id: '4200000000000000001', teamId, taskId: t1.id, userId: users.alice, start: at(-2), duration: 30 * 60_000, description: 'Drafted reminder email', billable: false, tags: [], at: at(-2) },
    { id: '4200000000000000002', teamId, taskId: vendor.id, userId: users.alice, start: at(-1), duration: 90 * 60_000, description: 'Reviewed supplier MSA', billable: true, tags: [], at: at(-1) },
    { id: '4200000000000000003', teamId, taskId: vendor.id, userId: users.dan, start: at(-1), duration: 45 * 60_000, description: 'Bank details check', billable: true, tags: [], at: at(-1) },
  );
  return state;
}
