/* terminal.h — the serial console on the user's terminal (raw mode, buffered
 * output, QEMU's Ctrl-A escapes). */
#ifndef EMU_SYS_TERMINAL_H
#define EMU_SYS_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum TermEvent { TERM_NONE, TERM_QUIT } TermEvent;

typedef struct Terminal {
  bool escapes;      /* mon:stdio: Ctrl-A is an escape */
  bool after_ctrl_a;
  int out_fd;        /* -1: output dropped */
  uint8_t out[4096];
  size_t nout;
} Terminal;

/* Raw mode when stdin is a terminal; restored at exit. */
void term_init(Terminal *t, bool escapes);
void term_fini(Terminal *t);
void term_put(Terminal *t, uint8_t byte); /* buffered */
void term_flush(Terminal *t);
/* Bytes the user typed: what goes to the guest is written to guest (at most
 * n bytes) and counted; *ev says whether the user asked to quit. */
size_t term_input(Terminal *t, const uint8_t *in, size_t n, uint8_t *guest, TermEvent *ev);

#endif
