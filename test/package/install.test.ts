// The package as a user gets it: `npm pack` of this tree, installed where there is Node and
// nothing else (no compiler, make, python3, pkg-config or liburing on PATH; its own HOME and npm
// cache; dependencies from the npm registry), then the CLI run from the install. Also where the
// addon cannot load: no prebuild for the machine, a Linux without io_uring, a platform that is not
// Linux. About a minute, most of it compiling the prebuild during `npm pack`.

import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'

import {parse as parseYaml} from 'yaml'

import {type CliResult, lines, runProcess} from '../helpers/cli.ts'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const WITHOUT_IO_URING = fileURLToPath(new URL('without-io-uring.py', import.meta.url))
// The interpreter itself: the clean PATH below has no python3, nor what a version shim needs.
const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {encoding: 'utf8'}).trim()
const PREBUILD = 'native/prebuilds/linux-x64/node.napi.glibc.node'
const BUILD_TOOLS = ['g++', 'gcc', 'c++', 'cc', 'make', 'python3', 'pkg-config']

const work = mkdtempSync(path.join(tmpdir(), 'iob-package-'))
after(() => rmSync(work, {recursive: true, force: true}))

type Outcome = CliResult & {seconds: number}

async function run(file: string, args: string[], options: {cwd: string; env: NodeJS.ProcessEnv}): Promise<Outcome> {
  const start = process.hrtime.bigint()
  const result = await runProcess(file, args, {...options, timeoutMs: 300_000})
  return {...result, seconds: Number(process.hrtime.bigint() - start) / 1e9}
}

/** This tree's files as git sees them (tracked and new, not ignored), relative to the root. */
function treeFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {cwd: REPO, encoding: 'utf8'})
    .split('\0')
    .filter((file) => file !== '' && existsSync(path.join(REPO, file)))
}

/**
 * Packs a copy of this tree, so prepack (which rebuilds dist/ and moves the compiled addon into
 * native/prebuilds/) leaves this checkout alone. Returns the tarball's path.
 */
function packTarball(): string {
  const source = path.join(work, 'source')
  for (const file of treeFiles()) cpSync(path.join(REPO, file), path.join(source, file))
  symlinkSync(path.join(REPO, 'node_modules'), path.join(source, 'node_modules'))
  const destination = path.join(work, 'pack')
  mkdirSync(destination)
  // A failure throws with npm's output (the compiler's errors among it) in the message.
  execFileSync('npm', ['pack', '--pack-destination', destination, '--loglevel=error'], {cwd: source, stdio: 'pipe', maxBuffer: 64 << 20})
  const [tarball] = readdirSync(destination)
  return path.join(destination, tarball)
}

function which(command: string): string {
  return execFileSync('sh', ['-c', `command -v ${command}`], {encoding: 'utf8'}).trim()
}

/**
 * Node, npm and npx (and the sh npm runs scripts with) on a PATH of their own, a fresh HOME (so
 * no ~/.npmrc, an empty npm cache), the registry this machine uses.
 */
function nodeOnlyEnvironment(): NodeJS.ProcessEnv {
  const bin = path.join(work, 'bin')
  mkdirSync(bin)
  symlinkSync(process.execPath, path.join(bin, 'node'))
  for (const command of ['npm', 'npx', 'sh']) symlinkSync(which(command), path.join(bin, command))
  const home = path.join(work, 'home')
  mkdirSync(home)
  const passed = ['NODE_EXTRA_CA_CERTS', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']
  return {
    ...Object.fromEntries(passed.filter((name) => process.env[name]).map((name) => [name, process.env[name]])),
    PATH: bin,
    HOME: home,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    npm_config_registry: execFileSync('npm', ['config', 'get', 'registry'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim(),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A new project directory whose package.json is `manifest`. */
function project(name: string, manifest: object = {}): string {
  const dir = path.join(work, name)
  mkdirSync(dir)
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({name, private: true, ...manifest}))
  return dir
}

/** The .node files mapped into a process that loaded the installed package's addon. */
async function loadedAddons(dir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const script = `
    const {loopCounterInfo} = await import(process.argv[1])
    loopCounterInfo()
    const {readFileSync} = await import('node:fs')
    const files = readFileSync('/proc/self/maps', 'utf8').split('\\n').map((line) => line.split(/\\s+/)[5] ?? '')
    console.log(JSON.stringify([...new Set(files.filter((file) => file.endsWith('.node')))]))`
  const addon = path.join(dir, 'node_modules/iouring-bench/dist/native/addon.js')
  const {status, stdout, stderr} = await run('node', ['--input-type=module', '-e', script, addon], {cwd: dir, env})
  assert.equal(status, 0, stderr)
  return JSON.parse(stdout) as string[]
}

let tarball: string
/** The tarball's files, without its package/ prefix. */
let packed: string[]
/** Where the tarball is unpacked. */
const unpacked = path.join(work, 'unpacked/package')

describe('npm pack', () => {
  before(() => {
    tarball = packTarball()
    packed = execFileSync('tar', ['-tzf', tarball], {encoding: 'utf8'})
      .split('\n')
      .filter(Boolean)
      .map((entry) => entry.replace(/^package\//, ''))
      .sort()
    mkdirSync(path.dirname(unpacked))
    execFileSync('tar', ['-xzf', tarball, '-C', path.dirname(unpacked)])
  })

  test('the tarball holds the built CLI, the prebuilt addon and the sources to rebuild it, and nothing else', () => {
    const tree = treeFiles()
    const under = (dir: string): string[] => tree.filter((file) => file.startsWith(`${dir}/`))
    const expected = [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/run.js',
      'oclif.manifest.json',
      PREBUILD,
      'native/binding.gyp',
      'native/install.js',
      'src/probe/kernel-table.json',
      ...under('src')
        .filter((file) => file.endsWith('.ts'))
        .map((file) => file.replace(/^src\/(.*)\.ts$/, 'dist/$1.js')),
      ...under('bench-profiles'),
      ...under('schemas'),
      ...under('native/core'),
      ...under('native/addon'),
    ]
    assert.deepEqual(packed, [...new Set(expected)].sort())
  })

  test('every file the built CLI reads through import.meta.url is in the tarball', () => {
    const reads = packed
      .filter((file) => file.startsWith('dist/'))
      .flatMap((file) => {
        const text = readFileSync(path.join(unpacked, file), 'utf8')
        return [...text.matchAll(/new URL\('([^']+)', import\.meta\.url\)/g)].map((match) => path.join(path.dirname(file), match[1]))
      })
    assert.ok(reads.length >= 3, `found only ${reads.join(', ')}`)
    for (const read of reads) assert.ok(existsSync(path.join(unpacked, read)), `${read} is read by dist/ but not packed`)
  })

  test('the prebuilt addon needs only libc, libstdc++, libgcc and libm (liburing is linked in)', (t) => {
    const addon = path.join(unpacked, PREBUILD)
    const needed = execFileSync('ldd', [addon], {encoding: 'utf8'})
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0])
      .filter((library) => library && !library.startsWith('linux-vdso') && !library.includes('ld-linux'))
    assert.deepEqual(
      needed.filter((library) => !/^lib(c|m|stdc\+\+|gcc_s)\.so\.\d+$/.test(library)),
      [],
    )
    const versions = execFileSync('objdump', ['-T', addon], {encoding: 'utf8'}).match(/\b(GLIBC|GLIBCXX|CXXABI)_[\d.]+/g) ?? []
    const newest = (prefix: string): string =>
      versions
        .filter((version) => version.startsWith(`${prefix}_`))
        .sort((a, b) => a.localeCompare(b, 'en', {numeric: true}))
        .at(-1) ?? 'none'
    t.diagnostic(
      `prebuild needs ${needed.join(' ')}; newest symbol versions: ${newest('GLIBC')}, ${newest('GLIBCXX')}, ${newest('CXXABI')}`,
    )
  })

  test('oclif.manifest.json lists every command the tarball holds', () => {
    const manifest = JSON.parse(readFileSync(path.join(unpacked, 'oclif.manifest.json'), 'utf8'))
    // dist/commands/report/merge.js is `report:merge`; an index.js names its directory.
    const commands = packed
      .filter((file) => /^dist\/commands\/.+\.js$/.test(file))
      .map((file) =>
        file
          .replace(/^dist\/commands\/(.*)\.js$/, '$1')
          .replace(/\/index$/, '')
          .replaceAll('/', ':'),
      )
    assert.deepEqual(Object.keys(manifest.commands).sort(), commands.sort())
  })
})

describe('installed where there is Node and no compiler', () => {
  let env: NodeJS.ProcessEnv
  let dir: string
  let install: Outcome

  before(async () => {
    env = nodeOnlyEnvironment()
    // The install script approved, so that every npm runs it (npm 11 may skip unreviewed ones).
    dir = project('user', {allowScripts: {[`file:${tarball}`]: true}})
    install = await run('npm', ['install', '--foreground-scripts', tarball], {cwd: dir, env})
  })

  test('the PATH has no compiler, make, python3 or pkg-config', async () => {
    for (const tool of BUILD_TOOLS) {
      const {status} = await run('sh', ['-c', `command -v ${tool}`], {cwd: dir, env})
      assert.notEqual(status, 0, `${tool} is on the PATH`)
    }
  })

  test('npm install runs the install script, which keeps the prebuilt addon and compiles nothing', (t) => {
    assert.equal(install.status, 0, install.stderr)
    assert.match(install.stdout, /> node native\/install\.js/)
    assert.equal(existsSync(path.join(dir, 'node_modules/iouring-bench/native/build')), false)
    t.diagnostic(`npm install of the tarball (empty npm cache): ${install.seconds.toFixed(1)} s`)
  })

  test('npx iouring-bench --version and --help', async () => {
    const version = await run('npx', ['iouring-bench', '--version'], {cwd: dir, env})
    assert.equal(version.status, 0, version.stderr)
    assert.match(version.stdout, /^iouring-bench\/0\.1\.0 linux-x64 node-v\d+\.\d+\.\d+\n$/)
    const help = await run('npx', ['iouring-bench', '--help'], {cwd: dir, env})
    assert.equal(help.status, 0, help.stderr)
    for (const command of ['run', 'bench', 'help']) assert.match(help.stdout, new RegExp(`^  ${command}\\s`, 'm'))
  })

  test('npx iouring-bench run --json reports every workload of the default profile, through the prebuilt addon', async (t) => {
    const report = await run('npx', ['iouring-bench', 'run', '--json'], {cwd: dir, env})
    assert.equal(report.status, 0, report.stderr)
    const document = JSON.parse(report.stdout)
    assert.equal(document.schemaVersion, 1)
    assert.equal(document.kind, 'iouring-bench/result')
    const profile = parseYaml(readFileSync(path.join(REPO, 'bench-profiles/default.yaml'), 'utf8'))
    assert.deepEqual(
      document.workloads.map((workload: {name: string}) => workload.name),
      profile.workloads.map((workload: {name: string}) => workload.name),
    )
    for (const workload of document.workloads) {
      for (const system of workload.systems) assert.ok(system.ops > 0 && system.error === null, `${workload.name} ${system.system}`)
      // fio is not on this PATH: its baseline is skipped with the reason, and the run goes on.
      for (const {system, reason} of workload.skipped ?? [])
        assert.deepEqual([system, reason], ['fio', 'fio not found: apt-get install fio'], workload.name)
    }
    assert.deepEqual(await loadedAddons(dir, env), [path.join(dir, 'node_modules/iouring-bench', PREBUILD)])
    const total = install.seconds + report.seconds
    t.diagnostic(`npm install ${install.seconds.toFixed(1)} s + first report ${report.seconds.toFixed(1)} s = ${total.toFixed(1)} s`)
  })

  test('npx iouring-bench probe-kernel --json describes this kernel', async () => {
    const {status, stdout, stderr} = await run('npx', ['iouring-bench', 'probe-kernel', '--json'], {cwd: dir, env})
    assert.equal(status, 0, stderr)
    assert.equal(JSON.parse(stdout).kind, 'iouring-bench/probe')
  })

  describe("the README's tarball lines, as written, in an empty folder", () => {
    let folder: string
    before(() => {
      folder = path.join(work, 'readme')
      mkdirSync(folder)
    })

    /** The README's line that starts so, without its comment; its tarball copied into the folder. */
    function readmeLine(start: string): string {
      const line = readFileSync(path.join(REPO, 'README.md'), 'utf8')
        .split('\n')
        .find((text) => text.startsWith(start))
      assert.ok(line, `README.md has no line starting '${start}'`)
      const command = line.replace(/\s+#.*$/, '')
      // The README names the tarball npm pack writes for this version.
      const named = /\.\/(iouring-bench-\S+\.tgz)/.exec(command)?.[1]
      assert.equal(named, path.basename(tarball))
      cpSync(tarball, path.join(folder, named))
      return command
    }

    test('npx --yes --package ./iouring-bench-<v>.tgz iouring-bench run (here with short phases, as JSON)', async () => {
      const command = readmeLine('npx --yes --package ./iouring-bench-')
      assert.match(command, /^npx --yes --package \.\/iouring-bench-\S+\.tgz iouring-bench run$/)
      const {status, stdout, stderr} = await run('sh', ['-c', `${command} --duration 100ms --warmup 20ms --json`], {cwd: folder, env})
      assert.equal(status, 0, stderr)
      const document = JSON.parse(stdout)
      const profile = parseYaml(readFileSync(path.join(REPO, 'bench-profiles/default.yaml'), 'utf8'))
      assert.deepEqual(
        document.workloads.map((workload: {name: string}) => workload.name),
        profile.workloads.map((workload: {name: string}) => workload.name),
      )
      for (const workload of document.workloads) {
        for (const system of workload.systems) assert.ok(system.ops > 0 && system.error === null, `${workload.name} ${system.system}`)
        // fio is off this PATH: where a workload asks for it, it is listed as skipped, never measured.
        for (const skipped of workload.skipped ?? [])
          assert.deepEqual(skipped, {system: 'fio', reason: 'fio not found: apt-get install fio'})
      }
    })

    test('npm install -g ./iouring-bench-<v>.tgz puts iouring-bench on the PATH (a prefix of its own), compiling nothing', async () => {
      const command = readmeLine('npm install -g ./iouring-bench-')
      assert.match(command, /^npm install -g \.\/iouring-bench-\S+\.tgz$/)
      const prefix = path.join(work, 'global')
      const global = {...env, npm_config_prefix: prefix, PATH: `${path.join(prefix, 'bin')}:${env.PATH}`}
      const install = await run('sh', ['-c', command], {cwd: folder, env: global})
      assert.equal(install.status, 0, install.stderr)
      assert.equal(existsSync(path.join(prefix, 'lib/node_modules/iouring-bench/native/build')), false)
      const version = await run('sh', ['-c', 'iouring-bench --version'], {cwd: folder, env: global})
      assert.equal(version.status, 0, version.stderr)
      assert.match(version.stdout, /^iouring-bench\/\S+ linux-x64 node-v/)
      const bench = await run('sh', ['-c', 'iouring-bench bench --op nop --ops 1000 --warmup 0 --vs none --json'], {
        cwd: folder,
        env: global,
      })
      assert.equal(bench.status, 0, bench.stderr)
      assert.equal(JSON.parse(bench.stdout).workloads[0].systems[0].ops, 1000)
    })
  })

  describe('where io_uring or the addon cannot be used', () => {
    const cli = (): string => path.join(dir, 'node_modules/.bin/iouring-bench')
    // What a non-Linux platform looks like to the CLI, short of running on one.
    const asDarwin = '--import=data:text/javascript,Object.defineProperty(process,"platform",{value:"darwin"})'

    test('a Linux without io_uring (io_uring_setup answers ENOSYS): run exits 3 saying so in one line', async () => {
      const {status, stdout, stderr} = await run(PYTHON, [WITHOUT_IO_URING, cli(), 'run'], {cwd: dir, env})
      assert.equal(status, 3)
      assert.equal(stdout, '')
      assert.equal(lines(stderr).length, 1)
      assert.match(
        stderr,
        /^Error: the kernel refused the ring \(io_uring_setup: .* \(ENOSYS\): entries=\d+ flags=none\): io_uring_setup does not exist here \(ENOSYS\): this kernel was built without io_uring \(CONFIG_IO_URING\); use a kernel built with CONFIG_IO_URING=y$/m,
      )
    })

    test('a Linux without io_uring: probe-kernel --require loop exits 3 naming ENOSYS', async () => {
      const {status, stderr} = await run(PYTHON, [WITHOUT_IO_URING, cli(), 'probe-kernel', '--require', 'loop'], {cwd: dir, env})
      assert.equal(status, 3)
      assert.equal(lines(stderr).length, 1)
      assert.match(stderr, /^Error: --require: not met on .*: loop \(io_uring cannot be used here: .*ENOSYS/)
    })

    test('not Linux: --help and --version work, run exits 3 in one line, the install script builds nothing', async () => {
      for (const args of [['--help'], ['--version']]) {
        const {status, stderr} = await run('node', [asDarwin, cli(), ...args], {cwd: dir, env})
        assert.equal(status, 0, stderr)
      }
      const measure = await run('node', [asDarwin, cli(), 'run'], {cwd: dir, env})
      assert.equal(measure.status, 3)
      assert.deepEqual(lines(measure.stderr), ['Error: io_uring is Linux-only; this is darwin, so the native loop cannot run here'])
      const script = await run('node', [asDarwin, 'native/install.js'], {cwd: path.join(dir, 'node_modules/iouring-bench'), env})
      assert.equal(script.status, 0, script.stderr)
      assert.equal(script.stdout, 'iouring-bench: io_uring is Linux-only, so there is no native addon to install on darwin\n')
    })

    test('not Linux: probe-kernel exits 3 in one line', async () => {
      const {status, stderr} = await run('node', [asDarwin, cli(), 'probe-kernel'], {cwd: dir, env})
      assert.equal(status, 3)
      assert.deepEqual(lines(stderr), ['Error: io_uring is Linux-only; this is darwin, so the native loop cannot run here'])
    })
  })

  describe('installed with install scripts skipped (--ignore-scripts, or npm 11 denying them)', () => {
    let skipped: string
    before(async () => {
      skipped = project('no-scripts')
      const {status, stderr} = await run('npm', ['install', '--ignore-scripts', tarball], {cwd: skipped, env})
      assert.equal(status, 0, stderr)
    })
    const cli = (): string => path.join(skipped, 'node_modules/.bin/iouring-bench')

    test('the CLI loads the prebuilt addon at run time', async () => {
      assert.deepEqual(await loadedAddons(skipped, env), [path.join(skipped, 'node_modules/iouring-bench', PREBUILD)])
    })

    test('with no prebuild for the machine, run exits 3 with the command that builds it; that command names what it needs', async () => {
      rmSync(path.join(skipped, 'node_modules/iouring-bench/native/prebuilds'), {recursive: true})
      for (const args of [['--help'], ['--version']]) {
        const {status, stderr} = await run(cli(), args, {cwd: skipped, env})
        assert.equal(status, 0, stderr)
      }
      const measure = await run(cli(), ['run'], {cwd: skipped, env})
      assert.equal(measure.status, 3)
      assert.equal(lines(measure.stderr).length, 1)
      const root = path.join(skipped, 'node_modules/iouring-bench')
      assert.match(
        measure.stderr,
        new RegExp(
          `^Error: the native addon could not be loaded \\(No native build was found for platform=linux arch=x64 .*\\); ` +
            `build it from source with 'npm run install --prefix ${escapeRegExp(root)}' \\(needs g\\+\\+, make, python3, pkg-config and liburing-dev\\)$`,
          'm',
        ),
      )
      const build = await run('npm', ['run', 'install', '--prefix', root], {cwd: skipped, env})
      assert.equal(build.status, 1)
      assert.match(
        build.stderr,
        /^iouring-bench: building the native addon from source \(no prebuilt addon loads here: No native build was found for /m,
      )
      assert.match(build.stderr, /^iouring-bench: cannot build it here: missing g\+\+, make, python3, pkg-config, liburing-dev\.$/m)
      assert.match(build.stderr, /^ {2}sudo apt-get install g\+\+ make python3 pkg-config liburing-dev$/m)
      assert.equal(existsSync(path.join(root, 'native/build')), false)
    })

    test('with no prebuild for the machine, probe-kernel exits 3 in one line', async () => {
      const {status, stderr} = await run(cli(), ['probe-kernel'], {cwd: skipped, env})
      assert.equal(status, 3)
      assert.equal(lines(stderr).length, 1)
      assert.match(stderr, /^Error: the native addon could not be loaded \(No native build was found/)
    })
  })
})
