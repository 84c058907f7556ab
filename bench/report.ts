/** Prints the headline figures of a results object as plain tables. */
export const printReport = (results: Record<string, unknown>) => {
  console.log('\n=== leadflow bench ===');
  console.log(JSON.stringify(results, null, 2).slice(0, 4000));
};
