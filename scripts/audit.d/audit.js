// Runs every audit of graphql-http's `serverAudits` against the URL given and prints one line per
// audit that is not "ok"; exits 1 if there is any (errors and warnings alike).
const { serverAudits } = require('graphql-http');

async function main(url) {
  const audits = serverAudits({ url });
  let notOk = 0;
  for (const audit of audits) {
    const result = await audit.fn();
    if (result.status !== 'ok') {
      notOk += 1;
      console.log(`${result.status.toUpperCase()} ${audit.id} ${audit.name}: ${result.reason}`);
    }
  }
  console.log(`graphql-http audit of ${url}: ${audits.length - notOk} of ${audits.length} ok`);
  process.exit(notOk === 0 ? 0 : 1);
}

main(process.argv[2]).catch((error) => {
  console.error(error);
  process.exit(1);
});
