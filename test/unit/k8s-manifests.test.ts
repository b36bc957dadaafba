// deploy/k8s: each manifest checked offline against the Kubernetes API's OpenAPI schema (the
// kubernetes-models package ships it per kind), and the DaemonSet against NFD's local feature
// source: it writes `probe-kernel --format nfd` into the features.d NFD reads, whole (a dot file,
// which NFD skips, then renamed), with labels that outlive the wait between two probes.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {describe, test} from 'node:test'

import {DaemonSet} from 'kubernetes-models/apps/v1'
import {Job} from 'kubernetes-models/batch/v1'
import {parseAllDocuments} from 'yaml'

import {parseDuration} from '../../src/units.ts'

const DIR = new URL('../../deploy/k8s/', import.meta.url)

const MODELS: Record<string, new (data: any) => {validate(): void}> = {'apps/v1/DaemonSet': DaemonSet, 'batch/v1/Job': Job}

function manifests(): Array<{file: string; object: any}> {
  return readdirSync(DIR)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) => parseAllDocuments(readFileSync(new URL(file, DIR), 'utf8')).map((document) => ({file, object: document.toJS()})))
}

function validate(object: any): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`]
  assert.ok(Model, `no schema here for ${object.apiVersion} ${object.kind}`)
  new Model(object).validate()
}

describe('deploy/k8s manifests', () => {
  test('each is valid against the Kubernetes OpenAPI schema of its kind', () => {
    const all = manifests()
    assert.deepEqual(all.map(({object}) => object.kind).sort(), ['DaemonSet', 'Job'])
    for (const {file, object} of all) assert.doesNotThrow(() => validate(object), file)
  })

  test('the schema check can fail: a DaemonSet without its selector, a port that is not a number', () => {
    const daemonSet = manifests().find(({object}) => object.kind === 'DaemonSet')!.object
    const noSelector = structuredClone(daemonSet)
    delete noSelector.spec.selector
    assert.throws(() => validate(noSelector), /selector/)
    const badPort = structuredClone(daemonSet)
    badPort.spec.template.spec.containers[0].ports = [{containerPort: 'http'}]
    assert.throws(() => validate(badPort), /containerPort must be integer/)
  })

  test("the DaemonSet writes the NFD feature file into the host's features.d, whole", () => {
    const {spec} = manifests().find(({object}) => object.kind === 'DaemonSet')!.object.spec.template
    const volume = spec.volumes.find((entry: any) => entry.hostPath)
    assert.equal(volume.hostPath.path, '/etc/kubernetes/node-feature-discovery/features.d')
    const [container] = spec.containers
    const mount = container.volumeMounts.find((entry: any) => entry.name === volume.name)
    const script = container.args.join('\n')
    assert.match(script, new RegExp(`probe-kernel --format nfd --expires-in \\S+ --output ${mount.mountPath}/\\.iouring-bench\\n`))
    // The labels outlive the wait between two probes, with room for a probe that is late.
    const expiresIn = parseDuration(/--expires-in (\S+)/.exec(script)![1], '--expires-in')
    const interval = Number(/sleep (\d+)/.exec(script)![1]) * 1e9
    assert.ok(expiresIn >= 2 * interval, `labels expire after ${expiresIn} ns, probes come every ${interval} ns`)
    assert.match(script, new RegExp(`mv ${mount.mountPath}/\\.iouring-bench ${mount.mountPath}/iouring-bench`))
    // Exit status 3 (io_uring not usable here) is a finding the file holds, not a failure.
    assert.match(script, /"\$status" -eq 3/)
  })

  test('the Job prints the probe as JSON, for report merge', () => {
    const {spec} = manifests().find(({object}) => object.kind === 'Job')!.object.spec.template
    assert.deepEqual(spec.containers[0].args, ['probe-kernel', '--json'])
    assert.equal(spec.restartPolicy, 'Never')
  })
})
