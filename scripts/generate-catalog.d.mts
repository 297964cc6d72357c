/** Text of src/checks/catalog.generated.ts as the check folders say it should be. */
export function generateCatalog(): string;
