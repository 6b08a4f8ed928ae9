// What the npm packages answer for tests/reference/cases.json: the agreement tests' expected values.
//
//   TZ=UTC node tests/reference/generate.js [node_modules folder] > tests/data/reference.json
//
// The packages' "now" is set to each case's date (midnight UTC), and browserslist runs with
// mobileToDesktop, as browsercheck evaluates queries.
'use strict'
process.env.BROWSERSLIST_DISABLE_CACHE = '1'
process.env.BROWSERSLIST_IGNORE_OLD_DATA = '1'
process.env.BASELINE_BROWSER_MAPPING_IGNORE_OLD_DATA = '1'
const path = require('path')
const modules = path.resolve(process.argv[2] || '.cache/npm/node_modules')
const load = name => require(path.join(modules, name))
const version = name => load(name + '/package.json').version
const browserslist = load('browserslist')
const bbm = load('baseline-browser-mapping')
const cases = require('./cases.json')

const RealDate = Date
function setToday(day) {
  const now = RealDate.parse(day + 'T00:00:00Z')
  global.Date = class extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(now)
      else super(...args)
    }
    static now() {
      return now
    }
  }
}

function run(query, date) {
  setToday(date)
  try {
    return { query, date, result: browserslist(query, { mobileToDesktop: true }) }
  } catch (e) {
    // the first line only: the rest is node's require stack, with this checkout's paths in it
    return { query, date, error: e.message.split('\n')[0] }
  } finally {
    global.Date = RealDate
  }
}

const today = cases.dates[0]
const out = {
  versions: {
    browserslist: version('browserslist'),
    'baseline-browser-mapping': version('baseline-browser-mapping'),
    'caniuse-lite': version('caniuse-lite')
  },
  browserslist: [],
  baseline: [],
  browserslistrc: []
}
for (const query of cases.queries) out.browserslist.push(run(query, today))
for (const list of cases.lists) out.browserslist.push(run(list, today))
for (const date of cases.dates) {
  for (const query of cases.dated_queries) out.browserslist.push(run(query, date))
}
for (const text of cases.browserslistrc) {
  const config = browserslist.parseConfig(text) // then, as browserslist picks the environment:
  out.browserslistrc.push({ text, queries: config.production || config.defaults })
}
const pairs = versions => versions.map(v => [v.browser, v.version])
for (const downstream of [false, true]) {
  for (const date of cases.baseline_dates) {
    const options = { widelyAvailableOnDate: date, includeDownstreamBrowsers: downstream, suppressWarnings: true }
    out.baseline.push({ date, downstream, result: pairs(bbm.getCompatibleVersions(options)) })
  }
  for (const year of cases.baseline_years) {
    const options = { targetYear: year, includeDownstreamBrowsers: downstream, suppressWarnings: true }
    out.baseline.push({ year, downstream, result: pairs(bbm.getCompatibleVersions(options)) })
  }
}
process.stdout.write(format(out))

// one case a line: readable diffs when the data moves
function format(data) {
  const lines = ['{', ` "versions": ${JSON.stringify(data.versions)},`]
  const parts = ['browserslist', 'baseline', 'browserslistrc']
  for (const part of parts) {
    lines.push(` "${part}": [`)
    data[part].forEach((item, i) => lines.push('  ' + JSON.stringify(item) + (i < data[part].length - 1 ? ',' : '')))
    lines.push(part === parts[parts.length - 1] ? ' ]' : ' ],')
  }
  lines.push('}')
  return lines.join('\n') + '\n'
}
