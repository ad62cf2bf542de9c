import { describe, expect, it } from 'vitest';
import { matchColumns, normalizeHeader, UPDATABLE_FIELDS } from '../../../src/input/columns.js';
import { RunError } from '../../../src/errors.js';
import { RESULT_COLUMNS } from '../../../src/row-outcome.js';

const strict = { ignoreUnknownColumns: false };
const lenient = { ignoreUnknownColumns: true };

/** The field a single header maps to, next to an Id (or a Quantity when it is the Id spelling). */
function fieldOf(header: string): string | undefined {
  return matchColumns(['Id', header], strict).fields.find((column) => column.index === 1)?.field;
}

function runError(fn: () => unknown): RunError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RunError) return error;
    throw error;
  }
  throw new Error('expected a RunError');
}

describe('normalizeHeader', () => {
  it.each([
    ['Id', 'id'],
    ['Usage ID', 'id'],
    ['Usage.Id', 'id'],
    ['Usage: ID', 'id'],
    ['UsageId', 'id'],
    ['  Start Date Time ', 'startdatetime'],
    ['START_DATE', 'startdate'],
    ['Unit-Of-Measure', 'unitofmeasure'],
    ['Usage: Start Date', 'startdate'],
    ['Usage.StartDateTime', 'startdatetime'],
    ['UsageQuantity', 'quantity'],
    ['Usage', 'usage'],
    ['Usages', 'usages'],
    ['UsageFoo', 'usagefoo'],
    ['Account: Account Number', 'accountaccountnumber'],
  ])('%j -> %j', (header, key) => {
    expect(normalizeHeader(header)).toBe(key);
  });
});

describe('matchColumns: updatable field spellings', () => {
  it.each([
    // Zuora API names and their lowercase Data Query forms
    ['Quantity', 'Quantity'],
    ['quantity', 'Quantity'],
    ['StartDateTime', 'StartDateTime'],
    ['startdatetime', 'StartDateTime'],
    ['EndDateTime', 'EndDateTime'],
    ['enddatetime', 'EndDateTime'],
    ['UOM', 'UOM'],
    ['uom', 'UOM'],
    ['RbeStatus', 'RbeStatus'],
    ['rbestatus', 'RbeStatus'],
    // Data Loader "update usage" template
    ['Start Date Time', 'StartDateTime'],
    ['End Date Time', 'EndDateTime'],
    ['Unit Of Measure', 'UOM'],
    ['Units of measure', 'UOM'],
    ['RBE Status', 'RbeStatus'],
    // usage upload template names
    ['QTY', 'Quantity'],
    ['STARTDATE', 'StartDateTime'],
    ['ENDDATE', 'EndDateTime'],
    ['START_DATE', 'StartDateTime'],
    // Data Source labels
    ['Usage: Quantity', 'Quantity'],
    ['Usage: Start Date', 'StartDateTime'],
    ['Usage: End Date', 'EndDateTime'],
    ['Usage: Unit of Measure', 'UOM'],
    ['Usage: RBE Status', 'RbeStatus'],
    // AQuA query labels
    ['Usage.Quantity', 'Quantity'],
    ['Usage.StartDateTime', 'StartDateTime'],
    ['Usage.EndDateTime', 'EndDateTime'],
    ['Usage.UOM', 'UOM'],
    ['Usage.RbeStatus', 'RbeStatus'],
    // separators, case and spaces do not matter
    ['start-date-time', 'StartDateTime'],
    ['Start.Date.Time', 'StartDateTime'],
    ['  quantity  ', 'Quantity'],
    ['UsageQuantity', 'Quantity'],
    ['Usage_Quantity', 'Quantity'],
  ])('%j is sent as %s', (header, field) => {
    expect(fieldOf(header)).toBe(field);
  });

  it('covers every updatable field', () => {
    for (const field of UPDATABLE_FIELDS) expect(fieldOf(field)).toBe(field);
  });
});

describe('matchColumns: Id spellings', () => {
  it.each(['Id', 'ID', 'id', 'Usage ID', 'Usage.Id', 'Usage: ID', 'UsageId', 'usage_id', ' Id '])('%j is the Id column', (header) => {
    expect(matchColumns(['Quantity', header], strict).idIndex).toBe(1);
  });
});

describe('matchColumns: custom fields', () => {
  it.each([
    ['Region__c', 'Region__c'],
    ['Usage.Region__c', 'Region__c'],
    ['Usage: Region__c', 'Region__c'],
    ['usage:region__c', 'region__c'],
    ['Usage_Type__c', 'Usage_Type__c'],
    ['UsageType__c', 'UsageType__c'],
    ['Cost_Center_2__c', 'Cost_Center_2__c'],
  ])('%j is sent as %s, case kept', (header, field) => {
    expect(fieldOf(header)).toBe(field);
  });

  it('keeps the header as written for messages', () => {
    const map = matchColumns(['Usage.Id', 'Usage: Region__c'], strict);
    expect(map.fields).toEqual([{ index: 1, header: 'Usage: Region__c', field: 'Region__c' }]);
  });
});

describe('matchColumns: read-only and other objects’ columns are ignored', () => {
  it.each([
    'AccountId',
    'Account Id',
    'AccountNumber',
    'Account Number',
    'ACCOUNT_ID',
    'SubscriptionId',
    'SubscriptionNumber',
    'Subscription Number',
    'SUBSCRIPTION_ID',
    'ChargeId',
    'ChargeNumber',
    'CHARGE_ID',
    'SourceType',
    'Source Type',
    'Description',
    'DESCRIPTION',
    'CreatedById',
    'Created By ID',
    'CreatedDate',
    'UpdatedById',
    'UpdatedDate',
    'SubmissionDateTime',
    'Usage: Submission Date',
    'ImportId',
    'Import ID',
    'UniqueKey',
    'Unique Key',
    'Usage.AccountNumber',
    'Usage: Created Date',
    'Account: Account Number',
    'Account.Name',
    'Subscription.Name',
    'Rate Plan Charge: Charge Number',
    'Bill To: Work Email',
    'Product Rate Plan Charge.Name',
    'Account: ID',
    // The record's status as `export` writes it: context, never sent (an RbeStatus column would be).
    'Current Status',
    'current_status',
  ])('%j', (header) => {
    const map = matchColumns(['Id', 'Quantity', header], strict);
    expect(map.ignored).toEqual([header.trim()]);
    expect(map.fields.map((column) => column.field)).toEqual(['Quantity']);
  });
});

describe('matchColumns: result columns of an earlier run', () => {
  it('ignores every result column and the before_ preview columns, by index', () => {
    const header = ['Id', 'Quantity', ...RESULT_COLUMNS, 'before_Quantity', 'before_Region__c'];
    const map = matchColumns(header, strict);
    expect(map.resultColumnIndexes).toEqual(header.map((_, index) => index).slice(2));
    expect(map.fields.map((column) => column.field)).toEqual(['Quantity']);
    expect(map.ignored).toEqual([]);
    expect(map.unknown).toEqual([]);
  });
});

describe('matchColumns: unknown columns', () => {
  it.each([
    ['Quantiy', 'did you mean Quantity?'],
    ['Qantity', 'did you mean Quantity?'],
    ['Quantity.1', 'did you mean Quantity?'],
    ['New Quantity', 'did you mean Quantity?'],
    ['Strat Date', 'did you mean StartDateTime?'],
    ['EndDateTmie', 'did you mean EndDateTime?'],
    ['RBS Status', 'did you mean RbeStatus?'],
    ['UMO', 'did you mean UOM?'],
    ['Acount Number', 'did you mean AccountNumber?'],
    ['Usage: Quantiy', 'did you mean Quantity?'],
  ])('%j stops the run: %s', (header, suggestion) => {
    const error = runError(() => matchColumns(['Id', 'UOM', header], strict));
    expect(error.code).toBe('UNKNOWN_COLUMN');
    expect(error.message).toContain(`"${header}" (column 3; ${suggestion})`);
    expect(error.message).toContain('--ignore-unknown-columns');
  });

  it('suggests nothing when no known name is close', () => {
    const error = runError(() => matchColumns(['Id', 'UOM', 'Colour'], strict));
    expect(error.message).toContain('"Colour" (column 3)');
    expect(error.message).not.toContain('did you mean');
  });

  it('lists every unknown column in one message', () => {
    const error = runError(() => matchColumns(['Id', 'Qty', 'Quantiy', '', 'Foo'], strict));
    expect(error.code).toBe('UNKNOWN_COLUMN');
    expect(error.message).toContain('"Quantiy" (column 3; did you mean Quantity?)');
    expect(error.message).toContain('"Foo" (column 5)');
  });

  it('accepts a column without a header (a spreadsheet\'s empty trailing column) and does not send it', () => {
    const map = matchColumns(['Id', 'Quantity', ''], strict);
    expect(map.ignored).toEqual(['(column 3, no header)']);
    expect(map.fields).toEqual([{ index: 1, header: 'Quantity', field: 'Quantity' }]);
  });

  it.each(['Usgae: Quantity', 'Useage.Quantity', 'Usag: Quantity'])('a misspelled usage prefix (%j) is unknown, never a silent no-op', (header) => {
    const error = runError(() => matchColumns(['Id', 'UOM', header], strict));
    expect(error.code).toBe('UNKNOWN_COLUMN');
    expect(error.message).toContain('did you mean Quantity?');
  });

  it.each(['Line', 'Result', 'attempts'])('a column of the user named %j is not taken for a result column outside a results file', (header) => {
    expect(runError(() => matchColumns(['Id', 'Quantity', header], strict)).code).toBe('UNKNOWN_COLUMN');
  });

  it('says what a custom field name looks like when one is malformed', () => {
    const error = runError(() => matchColumns(['Id', 'UOM', 'Region Code__c'], strict));
    expect(error.message).toContain('custom field names are letters, digits and _ ending in __c');
  });

  it('keeps them aside with ignoreUnknownColumns', () => {
    const map = matchColumns(['Id', 'Quantiy', 'UOM', ''], lenient);
    expect(map.unknown).toEqual(['Quantiy']);
    expect(map.fields).toEqual([{ index: 2, header: 'UOM', field: 'UOM' }]);
  });

  it.each(['Usage', 'Usage: Colour', 'Start Date: local'])('%j is not taken for another object’s column', (header) => {
    expect(runError(() => matchColumns(['Id', 'UOM', header], strict)).code).toBe('UNKNOWN_COLUMN');
  });
});

describe('matchColumns: missing and duplicate columns', () => {
  it('requires an Id column and lists its spellings', () => {
    const error = runError(() => matchColumns(['Quantity', 'UOM'], strict));
    expect(error.code).toBe('MISSING_COLUMN');
    expect(error.message).toContain('Usage ID, Usage.Id, Usage: ID');
  });

  it('points at a misspelled Id ignored as unknown', () => {
    const error = runError(() => matchColumns(['Idd', 'Quantity'], lenient));
    expect(error.code).toBe('MISSING_COLUMN');
    expect(error.message).toContain('"Idd" (column 1; did you mean Id?)');
  });

  it('requires at least one column to update', () => {
    const error = runError(() => matchColumns(['Id', 'AccountNumber', ...RESULT_COLUMNS], strict));
    expect(error.code).toBe('MISSING_COLUMN');
    expect(error.message).toContain('no column to update');
  });

  it.each([
    [['Id', 'Quantity', 'QTY'], '"Quantity" (column 2) and "QTY" (column 3) both map to Quantity'],
    [['Id', 'Usage ID', 'UOM'], '"Id" (column 1) and "Usage ID" (column 2) both map to Id'],
    [['Id', 'Start Date', 'STARTDATE', 'StartDateTime'], 'all map to StartDateTime'],
    [['Id', 'Region__c', 'Usage.Region__c'], 'both map to Region__c'],
    [['Id', 'Region__c', 'region__c'], 'both map to Region__c'],
  ])('%j is refused', (header, detail) => {
    const error = runError(() => matchColumns(header, strict));
    expect(error.code).toBe('DUPLICATE_COLUMN');
    expect(error.message).toContain(detail);
  });

  it('maps a full Zuora export header', () => {
    const header = [
      'Usage: ID',
      'Account: Account Number',
      'Usage: Quantity',
      'Usage: Start Date',
      'Usage: End Date',
      'Usage: Unit of Measure',
      'Usage: Description',
      'Region__c',
      ...RESULT_COLUMNS,
    ];
    expect(matchColumns(header, strict)).toEqual({
      idIndex: 0,
      fields: [
        { index: 2, header: 'Usage: Quantity', field: 'Quantity' },
        { index: 3, header: 'Usage: Start Date', field: 'StartDateTime' },
        { index: 4, header: 'Usage: End Date', field: 'EndDateTime' },
        { index: 5, header: 'Usage: Unit of Measure', field: 'UOM' },
        { index: 7, header: 'Region__c', field: 'Region__c' },
      ],
      ignored: ['Account: Account Number', 'Usage: Description'],
      unknown: [],
      resultColumnIndexes: [8, 9, 10, 11, 12, 13, 14, 15],
    });
  });
});

describe('matchColumns: only real Zuora objects make a prefixed column another object’s', () => {
  it.each([
    ['Account: Account Number'],
    ['Bill To: Work Email'],
    ['BillTo.WorkEmail'],
    ['sold_to.country'],
    ['SUBSCRIPTION: NAME'],
    ['Rate Plan: Name'],
    ['RatePlanCharge.ChargeNumber'],
    ['Rate Plan Charge Tier: Price'],
    ['Product: SKU'],
    ['Product Rate Plan: Name'],
    ['Product Rate Plan Charge: Charge Model'],
    ['Invoice: Invoice Number'],
    ['Invoice Item.Charge Amount'],
    ['Amendment: Type'],
    ['Contact.Work Email'],
    ['Payment Method: Type'],
    ['Import: Name'],
    ['Entity.Name'],
  ])('%j is ignored, not sent', (header) => {
    const map = matchColumns(['Id', 'Quantity', header], strict);
    expect(map.ignored).toEqual([header]);
    expect(map.fields.map((column) => column.field)).toEqual(['Quantity']);
  });

  it.each([
    ['Corrected: Quantity', 'did you mean Quantity? "Corrected" is not a Zuora object'],
    ['New: Quantity', 'did you mean Quantity? "New" is not a Zuora object'],
    ['Adjusted:Qty', 'did you mean Quantity? "Adjusted" is not a Zuora object'],
    ['Adjusted.Qty', 'did you mean Quantity? "Adjusted" is not a Zuora object'],
    ['Revised: Start Date', 'did you mean StartDateTime? "Revised" is not a Zuora object'],
    ['Fixed.UOM', 'did you mean UOM? "Fixed" is not a Zuora object'],
    ['Acount: Name', 'did you mean Account: Name? "Acount" is not a Zuora object'],
    ['Foo.Bar', '"Foo" is not a Zuora object'],
  ])('%j stops the run: %s', (header, detail) => {
    const error = runError(() => matchColumns(['Id', header, 'Unit Of Measure'], strict));
    expect(error.code).toBe('UNKNOWN_COLUMN');
    expect(error.message).toContain(`"${header}" (column 2; ${detail})`);
    expect(error.message).toContain('only when it names a Zuora object joined by an export (Account, Bill To,');
  });

  it('does not list the objects when no unknown column has a prefix', () => {
    const error = runError(() => matchColumns(['Id', 'UOM', 'Quantiy'], strict));
    expect(error.message).not.toContain('Zuora object');
  });

  it('with ignoreUnknownColumns a prefixed correction is carried along as unknown, not counted as another object’s', () => {
    const map = matchColumns(['Id', 'Corrected: Quantity', 'UOM'], lenient);
    expect(map.unknown).toEqual(['Corrected: Quantity']);
    expect(map.ignored).toEqual([]);
  });
});
