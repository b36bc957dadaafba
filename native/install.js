// npm's install step for iouring-bench (package.json "install"; npm runs it from the package root).
//
// node-gyp-build does the work: it keeps the prebuilt addon (native/prebuilds/) when it loads on
// this machine, and builds native/ from source when it does not. This adds what it lacks:
// - off Linux there is nothing to build: io_uring is Linux-only, and the CLI says so when asked
//   to measure (exit 3), so the install must not fail there;
// - before a source build, one message naming every missing build tool and how to get them,
//   instead of node-gyp's first failure.
import {execFileSync, spawn} from 'node:child_process'
import {accessSync, constants, existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const NATIVE_DIR = fileURLToPath(new URL('.', import.meta.url))
const require = createRequire(import.meta.url)

if (process.argv[2] === '--check-build-tools') checkBuildTools()
else install()

function install() {
  if (process.platform !== 'linux') {
    console.log(`iouring-bench: io_uring is Linux-only, so there is no native addon to install on ${process.platform}`)
    return
  }
  // node-gyp-build runs its first argument before a source build, and only then.
  const check = `"${process.execPath}" install.js --check-build-tools`
  const child = spawn(process.execPath, [require.resolve('node-gyp-build/bin.js'), check], {cwd: NATIVE_DIR, stdio: 'inherit'})
  child.on('exit', (code) => process.exit(code ?? 1))
}

function checkBuildTools() {
  console.error(`iouring-bench: building the native addon from source (${whyBuild()})`)
  // node-gyp compiles with $CXX when it is set.
  const compiler = process.env.CXX?.split(' ')[0] || 'g++'
  const missing = [compiler, 'make', 'python3', 'pkg-config'].filter((tool) => !onPath(tool))
  if (!staticLiburing()) missing.push('liburing-dev')
  if (missing.length === 0) return
  console.error(
    `iouring-bench: cannot build it here: missing ${missing.join(', ')}.\n` +
      'It needs g++ (C++20), make, python3, pkg-config and liburing-dev (liburing.a, linked statically); on Debian or Ubuntu:\n' +
      '  sudo apt-get install g++ make python3 pkg-config liburing-dev\n' +
      'then install iouring-bench again.',
  )
  process.exit(1)
}

function whyBuild() {
  if (process.env.npm_config_build_from_source === 'true') return 'asked for by --build-from-source'
  try {
    require('node-gyp-build')(NATIVE_DIR)
    return "the addon failed node-gyp-build's load test"
  } catch (error) {
    return `no prebuilt addon loads here: ${String(error instanceof Error ? error.message : error).split('\n')[0]}`
  }
}

function onPath(command) {
  if (command.includes('/')) return executable(command)
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => executable(path.join(dir, command)))
}

function executable(file) {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** liburing.a where binding.gyp looks for it (through pkg-config). */
function staticLiburing() {
  try {
    const libdir = execFileSync('pkg-config', ['--variable=libdir', 'liburing'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
    return libdir !== '' && existsSync(path.join(libdir, 'liburing.a'))
  } catch {
    return false
  }
}
