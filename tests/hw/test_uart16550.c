/* test_uart16550.c — hw/uart16550.c driven through the bus exactly as Linux's
 * 8250 driver does (autoconfig, startup's THRE tests, the interrupt handler),
 * with the values the PC16550D datasheet gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hw.h"
#include "uart16550.h"

enum { COM1 = 0x3f8, RBR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

typedef struct Rig {
  HwBus *bus;
  Uart16550 *u;
  int level, rises;
  uint8_t sent[64];
  int nsent;
} Rig;

static void irq_set(void *opaque, int pin, int level) {
  Rig *r = opaque;
  assert_int_equal(pin, 4);
  if (level && !r->level)
    r->rises++;
  r->level = level;
}

static void tx(void *ctx, uint8_t byte) {
  Rig *r = ctx;
  if (r->nsent < (int)sizeof r->sent)
    r->sent[r->nsent++] = byte;
}

static int setup(void **state) {
  Rig *r = calloc(1, sizeof(*r));
  r->bus = hw_bus_new();
  r->u = uart16550_new((HwIrq){irq_set, r, 4}, tx, r);
  assert_true(uart16550_map(r->u, r->bus, COM1));
  *state = r;
  return 0;
}

static int teardown(void **state) {
  Rig *r = *state;
  uart16550_free(r->u);
  hw_bus_free(r->bus);
  free(r);
  return 0;
}

static uint8_t in(Rig *r, int reg) { return (uint8_t)hw_pio_read(r->bus, COM1 + reg, 1); }
static void out(Rig *r, int reg, uint8_t v) { hw_pio_write(r->bus, COM1 + reg, v, 1); }

/* autoconfig() and autoconfig_16550a() in drivers/tty/serial/8250/8250_port.c. */
static void test_linux_autoconfig(void **state) {
  Rig *r = *state;
  /* Existence test: IER bits 3:0 read back what was written. */
  uint8_t scratch = in(r, IER);
  out(r, IER, 0);
  assert_int_equal(in(r, IER) & 0x0f, 0);
  out(r, IER, 0x0f);
  assert_int_equal(in(r, IER) & 0x0f, 0x0f);
  out(r, IER, scratch);
  /* Loopback test: RTS|OUT2 come back as CTS|DCD. */
  uint8_t save_mcr = in(r, MCR), save_lcr = in(r, LCR);
  out(r, MCR, 0x10 | 0x0a);
  assert_int_equal(in(r, MSR) & 0xf0, 0x90);
  out(r, MCR, save_mcr);
  /* EFR probe (LCR=0xbf writes offset 2: on a 16550A that is FCR), then FIFO on:
   * IIR bits 7:6 = 3 means a 16550A. */
  out(r, LCR, 0xbf);
  out(r, FCR, 0);
  out(r, LCR, 0);
  out(r, FCR, 0x01);
  assert_int_equal(in(r, IIR) >> 6, 3);
  /* autoconfig_16550a: no EFR behind DLAB or LCR=0xbf (offset 2 reads IIR, not 0). */
  out(r, LCR, 0x80);
  assert_int_not_equal(in(r, IIR), 0);
  out(r, LCR, 0xbf);
  assert_int_not_equal(in(r, IIR), 0);
  /* Not a National SuperIO: EXCR1 (LCR=0xe0, offset 2) does not follow MCR.LOOP. */
  out(r, LCR, 0);
  uint8_t status1 = in(r, MCR);
  out(r, LCR, 0xe0);
  uint8_t status2 = in(r, IIR);
  assert_int_equal((status1 ^ status2) & 0x10, 0);
  out(r, LCR, 0);
  out(r, MCR, status1 ^ 0x10);
  out(r, LCR, 0xe0);
  status2 = in(r, IIR);
  out(r, LCR, 0);
  out(r, MCR, status1);
  assert_int_equal((status2 ^ status1) & 0x10, 0);
  /* Not a TI16750: IIR bit 5 stays clear with and without DLAB. */
  out(r, FCR, 0x01 | 0x20);
  assert_int_equal(in(r, IIR) >> 5, 6);
  out(r, FCR, 0x01);
  out(r, LCR, 0x80);
  out(r, FCR, 0x01 | 0x20);
  assert_int_equal(in(r, IIR) >> 5, 6);
  out(r, FCR, 0x01);
  out(r, LCR, 0);
  /* Not an XScale: IER bit 6 (UUE) does not stick. */
  uint8_t iersave = in(r, IER);
  out(r, IER, iersave | 0x40);
  assert_int_equal(in(r, IER) & 0x40, 0);
  out(r, IER, iersave);
  out(r, LCR, save_lcr);
  /* Scratch register (the 16450 test) holds any value. */
  out(r, SCR, 0xa5);
  assert_int_equal(in(r, SCR), 0xa5);
  out(r, SCR, 0x5a);
  assert_int_equal(in(r, SCR), 0x5a);
  assert_int_equal(r->rises, 0); /* OUT2 was never set */
}

static void test_absent_port_fails_probe(void **state) {
  Rig *r = *state;
  /* COM2 is not there: the IER test reads the bus's all-ones. */
  hw_pio_write(r->bus, 0x2f9, 0, 1);
  assert_int_equal(hw_pio_read(r->bus, 0x2f9, 1) & 0x0f, 0x0f);
  assert_int_equal(hw_pio_read(r->bus, 0x2fd, 1), 0xff); /* "LSR safety check engaged" */
}

static void test_reset_values(void **state) {
  Rig *r = *state;
  assert_int_equal(in(r, IER), 0);
  assert_int_equal(in(r, IIR), 0x01);
  assert_int_equal(in(r, LCR), 0);
  assert_int_equal(in(r, MCR), 0);
  assert_int_equal(in(r, LSR), 0x60);
  assert_int_equal(in(r, MSR), 0xb0); /* CTS DSR DCD from the terminal, no deltas */
}

static void test_divisor_latch(void **state) {
  Rig *r = *state;
  out(r, IER, 0x05);
  out(r, LCR, 0x83); /* DLAB, 8 bits */
  out(r, RBR, 0x01); /* 115200 baud */
  out(r, IER, 0x00);
  assert_int_equal(in(r, RBR), 0x01);
  assert_int_equal(in(r, IER), 0x00);
  out(r, LCR, 0x03);
  assert_int_equal(in(r, IER), 0x05);
  assert_int_equal(r->nsent, 0); /* the DLL write sent nothing */
}

/* serial8250_do_startup: THRE must be reasserted each time IER.THRI goes 0->1
 * (else UART_BUG_THRE), and enabling THRI with THR empty interrupts at once
 * (else UART_BUG_TXEN). Reading IIR clears the THRE source. */
static void test_thre_interrupt(void **state) {
  Rig *r = *state;
  out(r, FCR, 0x07);
  out(r, LCR, 0x03);
  out(r, MCR, 0x0b); /* DTR RTS OUT2 */
  assert_int_equal(r->level, 0);
  out(r, IER, 0x02);
  assert_int_equal(r->level, 1);
  assert_int_equal(in(r, IIR), 0xc2);
  assert_int_equal(r->level, 0);
  assert_int_equal(in(r, IIR), 0xc1);
  out(r, IER, 0);
  out(r, IER, 0x02);
  assert_int_equal(in(r, IIR), 0xc2);
  out(r, IER, 0);
  out(r, IER, 0x02);
  assert_int_equal(in(r, LSR) & 0x60, 0x60);
  assert_int_equal(in(r, IIR) & 0x01, 0);
  /* Transmit: each THR write drops the line and raises it again (a new edge). */
  int rises = r->rises;
  out(r, RBR, 'h');
  out(r, RBR, 'i');
  assert_int_equal(r->nsent, 2);
  assert_memory_equal(r->sent, "hi", 2);
  assert_int_equal(r->rises, rises + 2);
  assert_int_equal(in(r, LSR), 0x60);
  assert_int_equal(in(r, IIR), 0xc2);
  /* __stop_tx: IER.THRI off clears the source. */
  out(r, RBR, '!');
  out(r, IER, 0);
  assert_int_equal(r->level, 0);
  assert_int_equal(in(r, IIR), 0xc1);
  /* OUT2 gates the pin: the source stays, the line does not. */
  out(r, IER, 0x02);
  assert_int_equal(r->level, 1);
  out(r, MCR, 0x03);
  assert_int_equal(r->level, 0);
  assert_int_equal(in(r, IIR), 0xc2);
}

static void test_word_length(void **state) {
  Rig *r = *state;
  out(r, LCR, 0x02); /* 7 bits */
  out(r, RBR, 0xff);
  assert_int_equal(r->sent[0], 0x7f);
}

static void test_receive_fifo(void **state) {
  Rig *r = *state;
  out(r, FCR, 0x01 | 0x06 | 0x80); /* enable, clear both, trigger 8 */
  out(r, LCR, 0x03);
  out(r, MCR, 0x0b);
  out(r, IER, 0x05); /* RDI | RLSI */
  assert_int_equal(in(r, IIR), 0xc1);
  assert_true(uart16550_can_receive(r->u));
  uart16550_receive(r->u, (const uint8_t *)"abc", 3);
  assert_int_equal(r->level, 1);
  assert_int_equal(in(r, IIR), 0xcc); /* below the trigger: character timeout */
  uart16550_receive(r->u, (const uint8_t *)"defgh", 5);
  assert_int_equal(in(r, IIR), 0xc4); /* 8 = trigger level: data available */
  /* The handler: read while LSR.DR. */
  char got[9] = {0};
  int n = 0;
  while (in(r, LSR) & 0x01)
    got[n++] = (char)in(r, RBR);
  assert_string_equal(got, "abcdefgh");
  assert_int_equal(in(r, LSR), 0x60);
  assert_int_equal(in(r, IIR), 0xc1);
  assert_int_equal(r->level, 0);
  /* FCR bit 1 empties the receive FIFO. */
  uart16550_receive(r->u, (const uint8_t *)"xy", 2);
  out(r, FCR, 0x83);
  assert_int_equal(in(r, LSR) & 0x01, 0);
  assert_int_equal(in(r, IIR), 0xc1);
}

static void test_overrun_and_priority(void **state) {
  Rig *r = *state;
  out(r, FCR, 0xc7); /* trigger 14 */
  out(r, LCR, 0x03);
  out(r, MCR, 0x08);
  uint8_t buf[17];
  for (int i = 0; i < 17; i++)
    buf[i] = (uint8_t)('A' + i);
  uart16550_receive(r->u, buf, 16);
  assert_false(uart16550_can_receive(r->u));
  uart16550_receive(r->u, buf + 16, 1); /* no room: lost, OE */
  out(r, IER, 0x0f); /* everything: line status wins over data over THRE */
  assert_int_equal(in(r, IIR), 0xc6);
  assert_int_equal(in(r, LSR), 0x63); /* DR OE THRE TEMT; reading clears OE */
  assert_int_equal(in(r, LSR), 0x61);
  assert_int_equal(in(r, IIR), 0xc4);
  for (int i = 0; i < 16; i++)
    assert_int_equal(in(r, RBR), 'A' + i); /* the FIFO kept its bytes, Q was lost */
  assert_int_equal(in(r, IIR), 0xc2);
  assert_int_equal(in(r, IIR), 0xc1); /* THRE acknowledged by the read */
  /* Without the FIFO the holding register takes one byte; the next overwrites it. */
  out(r, FCR, 0x00);
  assert_int_equal(in(r, IIR), 0x01);
  uart16550_receive(r->u, (const uint8_t *)"12", 2);
  assert_false(uart16550_can_receive(r->u));
  assert_int_equal(in(r, IIR), 0x06);
  assert_int_equal(in(r, LSR), 0x63);
  assert_int_equal(in(r, IIR), 0x04);
  assert_int_equal(in(r, RBR), '2');
  assert_int_equal(in(r, RBR), '2'); /* an empty RBR reads the last byte again */
}

static void test_loopback(void **state) {
  Rig *r = *state;
  out(r, FCR, 0x07);
  out(r, LCR, 0x03);
  out(r, MCR, 0x1b); /* loop + DTR RTS OUT2 */
  assert_false(uart16550_can_receive(r->u));
  out(r, IER, 0x09); /* RDI | MSI */
  /* DTR RTS OUT2 loop back as DSR CTS DCD, the lines the terminal drove: no delta. */
  assert_int_equal(in(r, MSR), 0xb0);
  out(r, RBR, 0x42);
  assert_int_equal(r->nsent, 0);
  assert_int_equal(in(r, LSR), 0x61);
  assert_int_equal(in(r, IIR), 0xc4); /* trigger level 1 */
  assert_int_equal(in(r, RBR), 0x42);
  assert_int_equal(r->level, 0); /* OUT2 is forced inactive in loopback */
  /* Modem status deltas: OUT1 on then off = RI rising then trailing edge (TERI). */
  in(r, MSR);
  out(r, MCR, 0x1f);
  assert_int_equal(in(r, MSR), 0xf0);
  out(r, MCR, 0x1b);
  assert_int_equal(in(r, IIR), 0xc0);
  assert_int_equal(in(r, MSR), 0xb4);
  assert_int_equal(in(r, IIR), 0xc1);
  out(r, MCR, 0x10); /* all outputs off: CTS DSR DCD fall */
  assert_int_equal(in(r, MSR), 0x0b);
  out(r, MCR, 0x0b); /* leave loopback: the terminal's lines again */
  assert_int_equal(in(r, MSR), 0xbb);
  assert_true(uart16550_can_receive(r->u));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_linux_autoconfig, setup, teardown),
      cmocka_unit_test_setup_teardown(test_absent_port_fails_probe, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reset_values, setup, teardown),
      cmocka_unit_test_setup_teardown(test_divisor_latch, setup, teardown),
      cmocka_unit_test_setup_teardown(test_thre_interrupt, setup, teardown),
      cmocka_unit_test_setup_teardown(test_word_length, setup, teardown),
      cmocka_unit_test_setup_teardown(test_receive_fifo, setup, teardown),
      cmocka_unit_test_setup_teardown(test_overrun_and_priority, setup, teardown),
      cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
