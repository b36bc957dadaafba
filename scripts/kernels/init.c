/*
 * PID 1 of the kernel-matrix guests (scripts/kernels/run-kernels.sh builds it with
 * gcc -static). It mounts proc, sys, devtmpfs and tmpfs, brings the loopback interface up (the
 * TCP tests connect to 127.0.0.1), applies the iob.* options of the kernel command line, runs
 * the commands listed in /commands, and powers the guest off.
 *
 *   /commands, one command a line, '#' starts a comment:
 *     LABEL [NAME=VALUE ...] /PROGRAM [ARG ...]
 *   NAME=VALUE goes to the program's environment, except two settings init applies itself:
 *     IOB_MEMLOCK=BYTES   RLIMIT_MEMLOCK (soft and hard) for the program
 *     IOB_RUN_AS=UID      run the program as this uid and gid, without supplementary groups
 *   (the guest runs everything as root otherwise, so unprivileged paths need these).
 *   kernel command line:
 *     iob.io_uring_disabled=N   write N to /proc/sys/kernel/io_uring_disabled first
 *     iob.run=LABEL[,LABEL...]  run only these commands (default: all)
 *
 * Each command's output goes to the console between
 *     @@@RUN-BEGIN@@@ label=LABEL
 *     @@@RUN-END@@@ rc=N label=LABEL ms=MILLISECONDS
 * (rc is the exit status, or 128+signal). The runner reads the console and takes only the text
 * between the markers, since the kernel may print there too.
 *
 * Invariants: init never exits (the kernel would panic); whatever happens it ends in
 * reboot(RB_POWER_OFF), which with qemu's -no-reboot ends qemu. Arguments are split on blanks
 * only: no quoting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORDS 64

static char cmdline[4096];

static void say(const char *format, const char *detail) {
  printf("init: ");
  printf(format, detail);
  printf("\n");
  fflush(stdout);
}

static void mount_or_say(const char *type, const char *target) {
  mkdir(target, 0755);
  if (mount(type, target, type, 0, NULL) != 0) {
    say("mount %s failed", target);
  }
}

/* The value of `name=` on the kernel command line, or NULL. */
/* lo starts down in a guest no network tooling set up: 127.0.0.1 is then unreachable. */
static void loopback_up(void) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq request;
  memset(&request, 0, sizeof request);
  strncpy(request.ifr_name, "lo", sizeof request.ifr_name - 1);
  if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &request) != 0 ||
      (request.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &request) != 0)) {
    say("bringing lo up failed: %s", strerror(errno));
  }
  if (fd >= 0) {
    close(fd);
  }
}

static const char *cmdline_option(const char *name, char *value, size_t size) {
  const size_t length = strlen(name);
  for (const char *at = cmdline; (at = strstr(at, name)) != NULL; at += length) {
    const int starts_word = at == cmdline || at[-1] == ' ';
    if (starts_word && at[length] == '=') {
      const char *start = at + length + 1;
      const size_t n = strcspn(start, " \n");
      if (n >= size) {
        return NULL;
      }
      memcpy(value, start, n);
      value[n] = '\0';
      return value;
    }
  }
  return NULL;
}

static int label_selected(const char *label, const char *selection) {
  if (selection == NULL) {
    return 1;
  }
  const size_t length = strlen(label);
  for (const char *at = selection; *at != '\0';) {
    const size_t n = strcspn(at, ",");
    if (n == length && strncmp(at, label, n) == 0) {
      return 1;
    }
    at += n + (at[n] == ',');
  }
  return 0;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Runs one /commands line: LABEL [NAME=VALUE ...] /PROGRAM [ARG ...]. */
static void run_line(char *line, const char *selection) {
  char *words[MAX_WORDS + 1];
  int count = 0;
  for (char *word = strtok(line, " \t\n"); word != NULL && count < MAX_WORDS;
       word = strtok(NULL, " \t\n")) {
    words[count++] = word;
  }
  if (count == 0 || words[0][0] == '#') {
    return;
  }
  const char *label = words[0];
  if (!label_selected(label, selection)) {
    return;
  }
  int program = 1;
  while (program < count && strchr(words[program], '=') != NULL && words[program][0] != '/') {
    ++program;
  }
  if (program == count) {
    say("no program in the command labelled %s", label);
    return;
  }
  words[count] = NULL;

  printf("@@@RUN-BEGIN@@@ label=%s\n", label);
  fflush(stdout);
  const long long started = now_ms();
  const pid_t child = fork();
  if (child == 0) {
    clearenv();
    setenv("PATH", "/", 1);
    setenv("HOME", "/tmp", 1);
    for (int i = 1; i < program; ++i) {
      if (strncmp(words[i], "IOB_MEMLOCK=", 12) == 0) {
        const rlim_t bytes = strtoull(words[i] + 12, NULL, 10);
        const struct rlimit limit = {bytes, bytes};
        if (setrlimit(RLIMIT_MEMLOCK, &limit) != 0) {
          _exit(126);
        }
      } else if (strncmp(words[i], "IOB_RUN_AS=", 11) == 0) {
        const unsigned id = (unsigned)strtoul(words[i] + 11, NULL, 10);
        /* Groups first: after setuid there is no privilege left to drop them. */
        if (setgroups(0, NULL) != 0 || setgid(id) != 0 || setuid(id) != 0) {
          _exit(126);
        }
      } else {
        putenv(words[i]);
      }
    }
    execv(words[program], &words[program]);
    fprintf(stderr, "init: execv %s: %s\n", words[program], strerror(errno));
    _exit(127);
  }
  int rc = 127;
  if (child > 0) {
    /* As PID 1 this also reaps orphans the command left behind. */
    int status = 0;
    pid_t reaped;
    while ((reaped = wait(&status)) != child) {
      if (reaped < 0 && errno != EINTR) {
        break;
      }
    }
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  } else {
    say("fork failed for %s", label);
  }
  fflush(stdout);
  printf("@@@RUN-END@@@ rc=%d label=%s ms=%lld\n", rc, label, now_ms() - started);
  fflush(stdout);
}

int main(void) {
  mount_or_say("proc", "/proc");
  mount_or_say("sysfs", "/sys");
  mount_or_say("devtmpfs", "/dev");
  mount_or_say("tmpfs", "/tmp");
  /* The initramfs has no /dev/console, so the kernel gave init no stdio. */
  const int console = open("/dev/console", O_RDWR);
  if (console >= 0) {
    dup2(console, 0);
    dup2(console, 1);
    dup2(console, 2);
    if (console > 2) {
      close(console);
    }
  }

  loopback_up();

  const int cmdline_fd = open("/proc/cmdline", O_RDONLY);
  if (cmdline_fd >= 0) {
    const ssize_t n = read(cmdline_fd, cmdline, sizeof cmdline - 1);
    cmdline[n > 0 ? n : 0] = '\0';
    close(cmdline_fd);
  }
  char uptime[64] = "?";
  const int uptime_fd = open("/proc/uptime", O_RDONLY);
  if (uptime_fd >= 0) {
    const ssize_t n = read(uptime_fd, uptime, sizeof uptime - 1);
    uptime[n > 0 ? strcspn(uptime, " ") : 1] = '\0';
    close(uptime_fd);
  }
  say("started at uptime %ss", uptime);

  char disabled[16];
  if (cmdline_option("iob.io_uring_disabled", disabled, sizeof disabled) != NULL) {
    const int fd = open("/proc/sys/kernel/io_uring_disabled", O_WRONLY);
    if (fd < 0 || write(fd, disabled, strlen(disabled)) < 0) {
      say("could not set kernel.io_uring_disabled: %s", strerror(errno));
    } else {
      say("kernel.io_uring_disabled=%s", disabled);
    }
    if (fd >= 0) {
      close(fd);
    }
  }

  char selection_buffer[256];
  const char *selection = cmdline_option("iob.run", selection_buffer, sizeof selection_buffer);
  FILE *commands = fopen("/commands", "r");
  if (commands == NULL) {
    say("no /commands: %s", strerror(errno));
  } else {
    static char line[4096];
    while (fgets(line, sizeof line, commands) != NULL) {
      run_line(line, selection);
    }
    fclose(commands);
  }

  sync();
  reboot(RB_POWER_OFF);
  for (;;) {
    pause();
  }
}
