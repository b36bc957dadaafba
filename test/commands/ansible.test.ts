// deploy/ansible/probe-fleet.yml, run by Debian's real ansible-core (setup.sh installs it) against a
// local inventory of three hosts, each handing in a different real probe (probe_input): the control
// node ends with every host's probe, the merged fleet view (fleet.json, against its schema) and its
// Markdown, grouped by kernel and verdict with what each kernel lacks and the fix for the refusal.
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'

import {launchBrowser, openPage} from '../helpers/browser.ts'
import {BIN, runProcess} from '../helpers/cli.ts'
import {assertMatchesSchema} from '../helpers/schema.ts'

const PLAYBOOK = fileURLToPath(new URL('../../deploy/ansible/probe-fleet.yml', import.meta.url))
const ANSIBLE = '/usr/bin/ansible-playbook'
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/raw-probe/${name}.json`, import.meta.url))

describe('deploy/ansible/probe-fleet.yml', () => {
  test('three hosts probed, their probes fetched and merged into one fleet view on the control node', async (t) => {
    if (!existsSync(ANSIBLE)) return t.skip(`${ANSIBLE} is missing: apt install ansible-core (setup.sh does)`)
    const dir = mkdtempSync(path.join(tmpdir(), 'iob-ansible-'))
    const fleet = path.join(dir, 'fleet')
    const inventory = path.join(dir, 'inventory.ini')
    writeFileSync(
      inventory,
      [
        '[fleet]',
        `web-1 probe_input=${fixture('debian-5.10')}`,
        `web-2 probe_input=${fixture('debian-6.12')}`,
        `db-1 probe_input=${fixture('debian-6.12-io_uring_disabled-2')}`,
        '',
        '[fleet:vars]',
        'ansible_connection=local',
        'ansible_python_interpreter=/usr/bin/python3',
        '',
      ].join('\n'),
    )
    const {status, stdout, stderr} = await runProcess(
      ANSIBLE,
      ['-i', inventory, PLAYBOOK, '-e', `iouring_bench=${BIN}`, '-e', `fleet_dir=${fleet}`],
      {env: {...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'), HOME: dir}, timeoutMs: 180_000},
    )
    assert.equal(status, 0, `${stdout}\n${stderr}`)
    assert.match(stdout, /db-1 +: ok=[23] .*failed=0/)
    assert.deepEqual(readdirSync(fleet).sort(), [
      'db-1.probe.json',
      'fleet.html',
      'fleet.json',
      'fleet.md',
      'web-1.probe.json',
      'web-2.probe.json',
    ])
    const view = JSON.parse(readFileSync(path.join(fleet, 'fleet.json'), 'utf8'))
    assertMatchesSchema('fleet', view)
    assert.equal(view.hosts.length, 3)
    assert.deepEqual(
      view.kernels.map((kernel: {release: string; hosts: number}) => [kernel.release, kernel.hosts]),
      [
        ['5.10.0-46-cloud-amd64', 1],
        ['6.12.118+deb13-cloud-amd64', 2],
      ],
    )
    assert.ok(view.kernels[0].lacks.includes('--single-issuer'))
    const unusable = view.verdicts.find((verdict: {verdict: string}) => verdict.verdict === 'unusable')
    assert.match(unusable.reasons[0].fix, /sysctl -w kernel\.io_uring_disabled=0/)
    assert.match(unusable.reasons[0].sources[0], /db-1\.probe\.json$/)
    assert.match(readFileSync(path.join(fleet, 'fleet.md'), 'utf8'), /^## iouring-bench fleet: 3 hosts, 2 kernels$/m)
    // The HTML page, in a real browser: the kernel table and the fix, nothing fetched.
    const browser = await launchBrowser(path.join(dir, 'chromium'))
    try {
      const {page, problems, requests} = await openPage(browser, path.join(fleet, 'fleet.html'), 1100)
      assert.deepEqual(problems, [])
      assert.deepEqual(
        requests.filter((url) => !url.startsWith('file:')),
        [],
      )
      assert.equal(await page.locator('table.fleet-kernels tbody tr').count(), 2)
      assert.match(await page.locator('table.fleet-reasons').innerText(), /sysctl -w kernel\.io_uring_disabled=0/)
      assert.match(await page.locator('ul.lacks').innerText(), /5\.10\.0-46-cloud-amd64: .*--single-issuer/)
    } finally {
      await browser.close()
    }
  })
})
