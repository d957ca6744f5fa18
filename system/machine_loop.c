/* machine_loop.c — running the machine. One thread runs the vCPU and every
 * device callback (-smp 1: no device locking). A kicker thread wakes it: it
 * sets the cpu's exit_request when the next timer deadline passes or the
 * terminal has input, so guest code that never leaves the code cache still
 * gets its timer interrupts. hlt sleeps in ppoll until a deadline or input,
 * so an idle guest costs no host CPU. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "machine_int.h"
#include "machine_cpu.h"

enum { FLUSH_NS = 2000000 }; /* console output reaches the terminal within 2 ms */

static struct timespec ns_to_ts(uint64_t ns) {
  return (struct timespec){.tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u)};
}

/* Time until deadline on the machine clock, for ppoll (NULL: forever). */
static const struct timespec *until(Machine *m, uint64_t deadline, struct timespec *ts) {
  if (deadline == UINT64_MAX)
    return NULL;
  uint64_t now = hw_clock_ns(m->clock);
  *ts = ns_to_ts(deadline > now ? deadline - now : 0);
  return ts;
}

static void wake_kicker(Machine *m) {
  uint64_t one = 1;
  if (write(m->wake_fd, &one, sizeof one) < 0)
    return; /* the counter is saturated: the kicker is awake anyway */
}

static void drain(int fd) {
  uint64_t v;
  if (read(fd, &v, sizeof v) < 0)
    return;
}

static bool input_fd_on(const Machine *m) {
  return m->opt.serial == SYS_SERIAL_MON_STDIO || m->opt.serial == SYS_SERIAL_STDIO;
}

static void *kicker_main(void *arg) {
  Machine *m = arg;
  uint64_t kicked_for = UINT64_MAX; /* the deadline already kicked for */
  while (!atomic_load(&m->stop)) {
    struct pollfd p[2] = {{m->wake_fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    nfds_t n = input_fd_on(m) && !atomic_load(&m->input_seen) ? 2 : 1;
    uint64_t dl = atomic_load(&m->next_deadline);
    struct timespec ts;
    int r = ppoll(p, n, until(m, dl == kicked_for ? UINT64_MAX : dl, &ts), NULL);
    if (r < 0 && errno != EINTR)
      break;
    if (p[0].revents & POLLIN)
      drain(m->wake_fd);
    bool kick = false;
    if (n == 2 && (p[1].revents & (POLLIN | POLLHUP))) {
      atomic_store(&m->input_seen, true); /* the loop reads it, then re-arms us */
      kick = true;
    }
    dl = atomic_load(&m->next_deadline);
    if (dl != kicked_for && dl <= hw_clock_ns(m->clock)) {
      kicked_for = dl;
      kick = true;
    }
    if (kick && m->cpu)
      emu_cpu_kick(m->cpu);
  }
  return NULL;
}

/* Queued input into the UART's receive FIFO, as far as it has room. */
static void feed_uart(Machine *m) {
  while (m->inq_len && uart16550_can_receive(m->uart)) {
    uart16550_receive(m->uart, &m->inq[m->inq_head], 1);
    m->inq_head = (m->inq_head + 1) % sizeof m->inq;
    m->inq_len--;
  }
}

/* Terminal input into the queue (while it has room); false: the user quit. */
static bool take_input(Machine *m) {
  feed_uart(m);
  size_t room = sizeof m->inq - m->inq_len;
  if (!atomic_load(&m->input_seen) || room < 256)
    return true;
  uint8_t buf[256], guest[256];
  ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
  if (n > 0) {
    TermEvent ev;
    size_t k = term_input(&m->term, buf, (size_t)n, guest, &ev);
    for (size_t i = 0; i < k; i++)
      m->inq[(m->inq_head + m->inq_len++) % sizeof m->inq] = guest[i];
    feed_uart(m);
    if (ev == TERM_QUIT)
      return false;
  }
  if (n == 0) /* end of input: stop watching it, as QEMU does */
    m->opt.serial = SYS_SERIAL_NONE;
  atomic_store(&m->input_seen, false);
  wake_kicker(m);
  return true;
}

/* Fire expired timers; tell the kicker when the next one moved earlier. */
static uint64_t run_timers(Machine *m) {
  uint64_t next = hw_clock_run(m->clock);
  uint64_t old = atomic_exchange(&m->next_deadline, next);
  if (next < old)
    wake_kicker(m);
  return next;
}

/* Halted: sleep until a timer is due or input comes (an interrupt can only
 * come from one of those). */
static void sleep_halted(Machine *m, uint64_t next) {
  term_flush(&m->term);
  struct pollfd p = {STDIN_FILENO, POLLIN, 0};
  nfds_t n = input_fd_on(m) && !atomic_load(&m->input_seen) ? 1 : 0;
  struct timespec ts;
  if (ppoll(&p, n, until(m, next, &ts), NULL) > 0 && (p.revents & (POLLIN | POLLHUP)))
    atomic_store(&m->input_seen, true);
}

int machine_run(Machine *m) {
  m->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  atomic_store(&m->next_deadline, UINT64_MAX);
  if (m->wake_fd < 0 || pthread_create(&m->kicker, NULL, kicker_main, m) != 0) {
    fprintf(stderr, "emu-system-x86_64: cannot start the timer thread\n");
    return 1;
  }
  m->kicker_on = true;
  int status = 0;
  uint64_t last_flush = 0;
  for (;;) {
    uint64_t next = run_timers(m);
    if (!take_input(m))
      break;
    if (m->poweroff)
      break;
    if (m->reset_why) {
      term_flush(&m->term);
      fprintf(stderr, "emu-system-x86_64: guest reset (%s)%s\r\n", m->reset_why,
              m->opt.no_reboot ? "; exiting (-no-reboot)" : "; rebooting");
      status = m->opt.no_reboot ? 0 : MACHINE_REBOOT;
      break;
    }
    uint64_t now = hw_clock_ns(m->clock);
    if (m->term.nout && now - last_flush > FLUSH_NS) {
      term_flush(&m->term);
      last_flush = now;
    }
    /* An interrupt that came while the CPU could not take it (sti; hlt's
     * shadow) is taken here, before any sleep. */
    machine_cpu_take_interrupt(m);
    if (machine_cpu_halted(m)) {
      sleep_halted(m, next);
      continue;
    }
    MachineCpuEvent ev = machine_cpu_run(m);
    if (ev == MACHINE_CPU_FAIL) {
      status = 1;
      break;
    }
  }
  term_flush(&m->term);
  emu_engine_log_stats(m->engine);
  atomic_store(&m->stop, true);
  wake_kicker(m);
  pthread_join(m->kicker, NULL);
  m->kicker_on = false;
  close(m->wake_fd);
  return status;
}
