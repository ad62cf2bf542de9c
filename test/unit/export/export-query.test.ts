import { describe, expect, it } from 'vitest';
import { checkExportFilters, checkWhere, exportHeader, exportQueries } from '../../../src/export/export-query.js';

describe('exportQueries', () => {
  it('selects every record with no filter', () => {
    expect(exportQueries(checkExportFilters({}))).toEqual([
      'select Id, Quantity, StartDateTime, EndDateTime, UOM, AccountNumber, SubscriptionNumber, ChargeNumber, Description, RbeStatus from Usage',
    ]);
  });

  it('makes one query per account, each with every other filter and --where added with and', () => {
    const queries = exportQueries(
      checkExportFilters({ account: 'A1, A2', from: '2026-10-01', to: '2026-11-01T00:00:00+01:00', status: 'pending', uom: 'GB', fields: 'Region__c', where: "Region__c = 'EMEA'" }),
    );
    const tail = "StartDateTime >= '2026-10-01T00:00:00' and StartDateTime < '2026-11-01T00:00:00+01:00' and RbeStatus = 'Pending' and UOM = 'GB' and Region__c = 'EMEA'";
    expect(queries).toEqual([
      `select Id, Quantity, StartDateTime, EndDateTime, UOM, Region__c, AccountNumber, SubscriptionNumber, ChargeNumber, Description, RbeStatus from Usage where AccountNumber = 'A1' and ${tail}`,
      `select Id, Quantity, StartDateTime, EndDateTime, UOM, Region__c, AccountNumber, SubscriptionNumber, ChargeNumber, Description, RbeStatus from Usage where AccountNumber = 'A2' and ${tail}`,
    ]);
  });

  it("escapes a quote in a value, so it stays one literal", () => {
    expect(exportQueries(checkExportFilters({ uom: "O'Brien units" }))[0]).toMatch(/where UOM = 'O\\'Brien units'$/);
  });

  it('writes the status under Current Status, after the context', () => {
    expect(exportHeader(['Region__c'])).toEqual(['Id', 'Quantity', 'StartDateTime', 'EndDateTime', 'UOM', 'Region__c', 'AccountNumber', 'SubscriptionNumber', 'ChargeNumber', 'Description', 'Current Status']);
  });
});

describe('checkExportFilters and checkWhere refuse what ZOQL cannot take, before any request', () => {
  const refused: Array<[string, Parameters<typeof checkExportFilters>[0], RegExp]> = [
    ['or in --where', { where: "UOM = 'GB' or UOM = 'MB'" }, /"or" is not allowed: the condition is added to the export's filters with "and"/],
    ['OR in capitals', { where: "UOM = 'GB' OR UOM = 'MB'" }, /"or" is not allowed/],
    ['IN', { where: "UOM in ('GB', 'MB')" }, /ZOQL has no IN/],
    ['parentheses', { where: "(UOM = 'GB')" }, /ZOQL has no parentheses/],
    ['an upper-case AND', { where: "UOM = 'GB' AND Quantity > 5" }, /keywords must be lower case: write "and"/],
    ['an unclosed quote', { where: "UOM = 'GB" }, /never closed/],
    ['a value without quotes', { where: 'UOM = GB' }, /expected a quoted value, a number or null after "UOM =" but found "GB"/],
    ['an empty condition', { where: '  ' }, /is empty/],
    ['201 conditions', { where: Array.from({ length: 201 }, (_, i) => `Quantity != ${i}`).join(' and ') }, /201 conditions; Zuora takes at most 200/],
    ['200 conditions plus the filters', { account: 'A1', where: Array.from({ length: 200 }, (_, i) => `Quantity != ${i}`).join(' and ') }, /the query would have 201 conditions/],
    ['a bad --from', { from: '2026-13-01' }, /--from "2026-13-01"/],
    ['a bad --status', { status: 'Billed' }, /--status "Billed" is not a usage status; expected Importing, Pending, Processed/],
    ['a standard field in --fields', { fields: 'Quantity' }, /--fields "Quantity" is not a custom field name/],
    ['an empty account', { account: 'A1,,A2' }, /--account "A1,,A2" has an empty item/],
  ];

  it.each(refused)('refuses %s', (_name, raw, message) => {
    expect(() => checkExportFilters(raw)).toThrow(message);
  });

  it('takes several conditions joined by and, numbers, null and != ', () => {
    expect(() => checkWhere("Region__c = 'EMEA' and Quantity >= 10 and CostCenter__c != null and Description != 'a or b'")).not.toThrow();
  });
});
