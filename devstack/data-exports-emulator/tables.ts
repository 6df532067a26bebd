/**
 * The tables an export can query, with their table configurations and columns, from the Data Exports table
 * dictionary (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html). Only CUR 2.0 is here, with
 * the four configurations the API reference documents; startDataExportsEmulator says what else is left out.
 */

export interface TableProperty {
  name: string;
  validValues: readonly string[];
  defaultValue: string;
  description: string;
}

export interface Column {
  name: string;
  type: string;
  /** A MAP or STRUCT column, whose keys a query may select on their own with the dot operator. */
  nested?: boolean;
  /** Present only when this configuration is TRUE. */
  addedBy?: string;
  /** Absent when this configuration is TRUE. */
  removedBy?: string;
}

export interface DataExportsTable {
  name: string;
  description: string;
  properties: readonly TableProperty[];
  columns: readonly Column[];
}

const trueOrFalse = ['TRUE', 'FALSE'] as const;

const string = (name: string, extra: Partial<Column> = {}): Column => ({ name, type: 'String', ...extra });
const double = (name: string, extra: Partial<Column> = {}): Column => ({ name, type: 'Double', ...extra });
const timestamp = (name: string): Column => ({ name, type: 'Timestamp' });
const map = (name: string, valueType: string, extra: Partial<Column> = {}): Column => ({
  name,
  type: `Map<String, ${valueType}>`,
  nested: true,
  ...extra,
});

const includeResources = 'INCLUDE_RESOURCES';
const includeSplitCostAllocationData = 'INCLUDE_SPLIT_COST_ALLOCATION_DATA';
const includeManualDiscountCompatibility = 'INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY';
const splitData = { addedBy: includeSplitCostAllocationData };

const costAndUsageReport: DataExportsTable = {
  name: 'COST_AND_USAGE_REPORT',
  description: 'Cost and Usage Report',
  properties: [
    {
      name: 'TIME_GRANULARITY',
      validValues: ['HOURLY', 'DAILY', 'MONTHLY'],
      defaultValue: 'HOURLY',
      description: 'The time granularity of the cost and usage line items.',
    },
    {
      name: includeResources,
      validValues: trueOrFalse,
      defaultValue: 'FALSE',
      description: 'Gives each resource its own line items and adds the line_item_resource_id column.',
    },
    {
      name: includeSplitCostAllocationData,
      validValues: trueOrFalse,
      defaultValue: 'FALSE',
      description: 'Adds the split cost allocation data of shared resources (the split_line_item columns).',
    },
    {
      name: includeManualDiscountCompatibility,
      validValues: trueOrFalse,
      defaultValue: 'FALSE',
      description: 'Gives discounts their own line items, as legacy CUR does, and removes the discount columns.',
    },
  ],
  columns: [
    string('bill_bill_type'),
    string('bill_billing_entity'),
    timestamp('bill_billing_period_end_date'),
    timestamp('bill_billing_period_start_date'),
    string('bill_invoice_id'),
    string('bill_invoicing_entity'),
    string('bill_payer_account_id'),
    string('bill_payer_account_name'),
    map('cost_category', 'String'),
    map('discount', 'Double', { removedBy: includeManualDiscountCompatibility }),
    double('discount_bundled_discount'),
    double('discount_total_discount', { removedBy: includeManualDiscountCompatibility }),
    string('identity_line_item_id'),
    string('identity_time_interval'),
    string('line_item_availability_zone'),
    double('line_item_blended_cost'),
    string('line_item_blended_rate'),
    string('line_item_currency_code'),
    string('line_item_legal_entity'),
    string('line_item_line_item_description'),
    string('line_item_line_item_type'),
    double('line_item_net_unblended_cost'),
    string('line_item_net_unblended_rate'),
    double('line_item_normalization_factor'),
    double('line_item_normalized_usage_amount'),
    string('line_item_operation'),
    string('line_item_product_code'),
    string('line_item_resource_id', { addedBy: includeResources }),
    string('line_item_tax_type'),
    double('line_item_unblended_cost'),
    string('line_item_unblended_rate'),
    string('line_item_usage_account_id'),
    string('line_item_usage_account_name'),
    double('line_item_usage_amount'),
    timestamp('line_item_usage_end_date'),
    timestamp('line_item_usage_start_date'),
    string('line_item_usage_type'),
    string('pricing_currency'),
    string('pricing_lease_contract_length'),
    string('pricing_offering_class'),
    double('pricing_public_on_demand_cost'),
    string('pricing_public_on_demand_rate'),
    string('pricing_purchase_option'),
    string('pricing_rate_code'),
    string('pricing_rate_id'),
    string('pricing_term'),
    string('pricing_unit'),
    map('product', 'String'),
    string('product_comment'),
    string('product_fee_code'),
    string('product_fee_description'),
    string('product_from_location'),
    string('product_from_location_type'),
    string('product_from_region_code'),
    string('product_instance_family'),
    string('product_instance_type'),
    string('product_instancesku'),
    string('product_location'),
    string('product_location_type'),
    string('product_operation'),
    string('product_pricing_unit'),
    string('product_product_family'),
    string('product_region_code'),
    string('product_servicecode'),
    string('product_sku'),
    string('product_to_location'),
    string('product_to_location_type'),
    string('product_to_region_code'),
    string('product_usagetype'),
    double('reservation_amortized_upfront_cost_for_usage'),
    double('reservation_amortized_upfront_fee_for_billing_period'),
    string('reservation_availability_zone'),
    double('reservation_effective_cost'),
    string('reservation_end_time'),
    string('reservation_modification_status'),
    double('reservation_net_amortized_upfront_cost_for_usage'),
    double('reservation_net_amortized_upfront_fee_for_billing_period'),
    double('reservation_net_effective_cost'),
    double('reservation_net_recurring_fee_for_usage'),
    double('reservation_net_unused_amortized_upfront_fee_for_billing_period'),
    double('reservation_net_unused_recurring_fee'),
    double('reservation_net_upfront_value'),
    string('reservation_normalized_units_per_reservation'),
    string('reservation_number_of_reservations'),
    double('reservation_recurring_fee_for_usage'),
    string('reservation_reservation_a_r_n'),
    string('reservation_start_time'),
    string('reservation_subscription_id'),
    string('reservation_total_reserved_normalized_units'),
    string('reservation_total_reserved_units'),
    string('reservation_units_per_reservation'),
    double('reservation_unused_amortized_upfront_fee_for_billing_period'),
    double('reservation_unused_normalized_unit_quantity'),
    double('reservation_unused_quantity'),
    double('reservation_unused_recurring_fee'),
    double('reservation_upfront_value'),
    map('resource_tags', 'String'),
    double('savings_plan_amortized_upfront_commitment_for_billing_period'),
    string('savings_plan_end_time'),
    string('savings_plan_instance_type_family'),
    double('savings_plan_net_amortized_upfront_commitment_for_billing_period'),
    double('savings_plan_net_recurring_commitment_for_billing_period'),
    double('savings_plan_net_savings_plan_effective_cost'),
    string('savings_plan_offering_type'),
    string('savings_plan_payment_option'),
    string('savings_plan_purchase_term'),
    double('savings_plan_recurring_commitment_for_billing_period'),
    string('savings_plan_region'),
    string('savings_plan_savings_plan_a_r_n'),
    double('savings_plan_savings_plan_effective_cost'),
    double('savings_plan_savings_plan_rate'),
    string('savings_plan_start_time'),
    double('savings_plan_total_commitment_to_date'),
    double('savings_plan_used_commitment'),
    double('split_line_item_actual_usage', splitData),
    double('split_line_item_net_split_cost', splitData),
    double('split_line_item_net_unused_cost', splitData),
    string('split_line_item_parent_resource_id', splitData),
    double('split_line_item_public_on_demand_split_cost', splitData),
    double('split_line_item_public_on_demand_unused_cost', splitData),
    double('split_line_item_reserved_usage', splitData),
    double('split_line_item_split_cost', splitData),
    double('split_line_item_split_usage', splitData),
    double('split_line_item_split_usage_ratio', splitData),
    double('split_line_item_unused_cost', splitData),
  ],
};

export const dataExportsTables: readonly DataExportsTable[] = [costAndUsageReport];

export function findTable(name: string): DataExportsTable | undefined {
  return dataExportsTables.find((table) => table.name === name);
}

/** Every configuration of the table, the given value where there is one, the default elsewhere. */
export function effectiveProperties(
  table: DataExportsTable,
  given: Record<string, string> = {},
): Record<string, string> {
  return Object.fromEntries(
    table.properties.map((property) => [property.name, given[property.name] ?? property.defaultValue]),
  );
}

/** The table's schema under these configurations: the columns they add, less the columns they remove. */
export function columnsUnder(table: DataExportsTable, properties: Record<string, string>): Column[] {
  return table.columns.filter(
    (column) =>
      (column.addedBy === undefined || properties[column.addedBy] === 'TRUE') &&
      (column.removedBy === undefined || properties[column.removedBy] !== 'TRUE'),
  );
}
