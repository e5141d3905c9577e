import { parseHouseholdFile, writeHouseholdFile } from '@rasoat/household-records';
async function main() {
  const rows = Array.from({ length: 15 }, (_, i) => ({ householdCode: `H${i}`, headName: 'Nguyễn Văn An', memberCount: 3, area: 'rural' as const, source: 'previous_poor' as const }));
  let t = Date.now();
  let buf: Buffer = Buffer.from('');
  for (let i = 0; i < 500; i++) buf = await writeHouseholdFile(rows, 'csv');
  console.log('write', (Date.now() - t) / 500, 'ms');
  t = Date.now();
  for (let i = 0; i < 500; i++) await parseHouseholdFile({ format: 'csv', content: buf, fileName: 'a.csv' });
  console.log('parse', (Date.now() - t) / 500, 'ms');
}
main();
