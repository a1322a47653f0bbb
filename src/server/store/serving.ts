/**
 * The SQL form of integrationServes (domain/integrations.ts), for statements that pick the stacks an integration
 * serves: a stack naming the integration, a stack naming none when the integration is the default one, never a
 * detached stack. A test runs it against the domain predicate on every combination.
 */

/**
 * A condition on the stacks row `stack` (a table alias) that holds when the integration whose id and is-default flag
 * the SQL expressions `integration.id` and `integration.isDefault` give serves it. Written as an OR of plain
 * comparisons so the planner can use the index on integration_id; as a WHERE or ON condition its NULLs mean false.
 */
export function integrationServesSql(stack: string, integration: { id: string; isDefault: string }): string {
  return `(NOT ${stack}.detached AND (${stack}.integration_id = ${integration.id} OR (${integration.isDefault} AND ${stack}.integration_id IS NULL)))`;
}
