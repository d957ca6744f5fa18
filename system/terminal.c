/* terminal.c — the serial console on the user's terminal, as QEMU's
 * -nographic / -serial mon:stdio: raw mode while the machine runs (restored at
 * exit, whatever the way out), input bytes to the guest's UART, and QEMU's
 * Ctrl-A escapes: Ctrl-A x quits, Ctrl-A h lists them, Ctrl-A Ctrl-A sends one
 * Ctrl-A, Ctrl-A c would reach the monitor (not written yet: it says so). */
#include "terminal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

enum { CTRL_A = 0x01 };

static struct termios saved;
static bool raw_on;

static void term_restore(void) {
  if (raw_on) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    raw_on = false;
  }
}

void term_init(Terminal *t, bool escapes) {
  memset(t, 0, sizeof *t);
  t->escapes = escapes;
  t->out_fd = STDOUT_FILENO;
  if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) != 0)
    return;
  struct termios raw = saved;
  /* Like QEMU's stdio chardev: the guest's line discipline does the work, so
   * no echo, no canonical mode, no signals from ^C/^Z (they go to the guest). */
  raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  raw.c_oflag |= OPOST | ONLCR;
  raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  raw.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
  raw.c_cflag |= CS8;
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
    raw_on = true;
    atexit(term_restore);
  }
}

void term_fini(Terminal *t) {
  term_flush(t);
  term_restore();
}

void term_put(Terminal *t, uint8_t byte) {
  if (t->out_fd < 0)
    return;
  t->out[t->nout++] = byte;
  if (t->nout == sizeof t->out)
    term_flush(t);
}

void term_flush(Terminal *t) {
  size_t done = 0;
  while (t->out_fd >= 0 && done < t->nout) {
    ssize_t n = write(t->out_fd, t->out + done, t->nout - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break; /* the terminal went away: the guest's output is dropped */
    done += (size_t)n;
  }
  t->nout = 0;
}

static void say(Terminal *t, const char *s) {
  term_flush(t);
  if (t->out_fd >= 0 && write(t->out_fd, s, strlen(s)) < 0)
    return;
}

size_t term_input(Terminal *t, const uint8_t *in, size_t n, uint8_t *guest, TermEvent *ev) {
  size_t k = 0;
  *ev = TERM_NONE;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = in[i];
    if (!t->escapes) {
      guest[k++] = c;
      continue;
    }
    if (!t->after_ctrl_a) {
      if (c == CTRL_A)
        t->after_ctrl_a = true;
      else
        guest[k++] = c;
      continue;
    }
    t->after_ctrl_a = false;
    switch (c) {
    case 'x':
      say(t, "emu: terminated (Ctrl-A x)\r\n");
      *ev = TERM_QUIT;
      return k;
    case CTRL_A:
      guest[k++] = CTRL_A;
      break;
    case 'c':
      say(t, "\r\nemu: the monitor is not available yet\r\n");
      break;
    case 'h':
    case '?':
      say(t, "\r\nC-a h    print this help\r\nC-a x    exit emulator\r\n"
             "C-a c    switch to the monitor (not available yet)\r\n"
             "C-a C-a  sends C-a\r\n");
      break;
    default:
      break; /* QEMU ignores unknown escapes too */
    }
  }
  return k;
}
