/* machine.c — emu-pc built from its parts: guest RAM, the bus, the devices at
 * docs/system.md's addresses with their interrupt wiring (ISA IRQs to both the
 * i8259 pair and the IOAPIC, the i8259's INTR to LINT0, the IOAPIC to the
 * LAPIC), ACPI tables, the Linux boot images, and the engine with one vCPU.
 * machine_loop.c runs it. */
#define _GNU_SOURCE
#include "machine_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "acpi_tables.h"
#include "boot_linux.h"

/* -- Interrupt wiring ---------------------------------------------------------- */

/* An ISA IRQ goes to the i8259 and to the IOAPIC pin the MADT says (IRQ 0 is
 * GSI 2, the others are identity-mapped), as on a PC chipset. */
static void isa_irq_set(void *opaque, int irq, int level) {
  Machine *m = opaque;
  i8259_set_irq(m->pic, irq, level);
  ioapic_set_irq(m->ioapic, irq == 0 ? 2 : irq, level);
}

HwIrq machine_isa_irq(Machine *m, int irq) { return (HwIrq){isa_irq_set, m, irq}; }

/* Something may be pending for the CPU: stop running chained guest code. */
static void cpu_notify(void *ctx) {
  Machine *m = ctx;
  if (m->cpu)
    emu_cpu_kick(m->cpu);
}

/* -- Reset and power ----------------------------------------------------------- */

void machine_request_reset(Machine *m, const char *why) {
  if (!m->reset_why)
    m->reset_why = why;
  cpu_notify(m);
}

void machine_request_poweroff(Machine *m) {
  m->poweroff = true;
  cpu_notify(m);
}

/* -- Building ------------------------------------------------------------------ */

static void uart_tx(void *ctx, uint8_t byte) {
  Machine *m = ctx;
  term_put(&m->term, byte);
}

static bool map_devices(Machine *m) {
  m->pic = i8259_new(lapic_lint(m->lapic, 0));
  m->pit = i8254_new(m->clock, machine_isa_irq(m, 0));
  m->uart = uart16550_new(machine_isa_irq(m, 4), uart_tx, m);
  if (!m->pic || !m->pit || !m->uart)
    return false;
  apic_wire(m->ioapic, m->lapic);
  lapic_set_notify(m->lapic, cpu_notify, m);
  return i8259_map(m->pic, m->bus) && i8254_map(m->pit, m->bus) &&
         uart16550_map(m->uart, m->bus, 0x3f8) && lapic_map(m->lapic, m->bus) &&
         ioapic_map(m->ioapic, m->bus) && machine_map_platform(m);
}

/* COM1's other end: the terminal (stdio, mon:stdio with Ctrl-A escapes), a
 * file the output is appended to, or nothing. */
static bool serial_open(Machine *m, const SysOptions *o, char *err, size_t errsize) {
  bool terminal = o->serial == SYS_SERIAL_STDIO || o->serial == SYS_SERIAL_MON_STDIO;
  if (terminal) {
    term_init(&m->term, o->serial == SYS_SERIAL_MON_STDIO);
    return true;
  }
  memset(&m->term, 0, sizeof m->term);
  m->term.out_fd = -1;
  if (o->serial == SYS_SERIAL_FILE) {
    m->term.out_fd = open(o->serial_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (m->term.out_fd < 0) {
      snprintf(err, errsize, "-serial file:%s: %s", o->serial_path, strerror(errno));
      return false;
    }
    m->serial_fd = m->term.out_fd;
  }
  return true;
}

static bool open_disks(Machine *m, const SysOptions *o, char *err, size_t errsize) {
  for (unsigned i = 0; i < o->ndrives; i++) {
    char why[256];
    m->disk[i] = block_open(o->drives[i].file, o->drives[i].readonly, why, sizeof why);
    if (!m->disk[i]) { /* the reason names the file */
      snprintf(err, errsize, "%s", why);
      return false;
    }
    HwIrq irq = ioapic_irq(m->ioapic, (int)(PC_VIRTIO_MMIO_FIRST_GSI + i));
    m->blk[i] = virtio_blk_new(m->bus, PC_VIRTIO_MMIO_BASE + i * PC_VIRTIO_MMIO_SIZE, irq,
                               m->disk[i], i);
    if (!m->blk[i]) {
      snprintf(err, errsize, "%s: cannot attach the disk", o->drives[i].file);
      return false;
    }
    m->ndisks = i + 1;
  }
  return true;
}

static bool load_linux(Machine *m, const SysOptions *o, char *err, size_t errsize) {
  AcpiConfig ac = {.virtio_mmio_count = o->ndrives};
  uint64_t rsdp = acpi_build(m->ram, m->ram_size, &ac);
  LinuxBootArgs a = {.kernel = o->kernel, .initrd = o->initrd, .cmdline = o->append,
                     .rsdp_addr = rsdp};
  return linux_boot_load(&a, m->ram, m->ram_size, &m->boot, err, errsize);
}

Machine *machine_new(const SysOptions *o, char *err, size_t errsize) {
  if (o->ram_size > PC_LOW_RAM_MAX) {
    snprintf(err, errsize, "-m %llu MiB: more than %llu MiB is not supported yet",
             (unsigned long long)(o->ram_size >> 20), (unsigned long long)(PC_LOW_RAM_MAX >> 20));
    return NULL;
  }
  Machine *m = calloc(1, sizeof *m);
  if (!m) {
    snprintf(err, errsize, "out of memory");
    return NULL;
  }
  m->opt = *o;
  m->ram_size = o->ram_size;
  m->ram = mmap(NULL, m->ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                -1, 0);
  if (m->ram == MAP_FAILED) {
    m->ram = NULL;
    snprintf(err, errsize, "cannot allocate %llu MiB of guest RAM",
             (unsigned long long)(m->ram_size >> 20));
    machine_free(m);
    return NULL;
  }
  if (!serial_open(m, o, err, errsize)) {
    machine_free(m);
    return NULL;
  }
  m->bus = hw_bus_new();
  m->clock = hw_clock_new();
  m->lapic = lapic_new(m->clock);
  m->ioapic = ioapic_new(0);
  if (!m->bus || !m->clock || !m->lapic || !m->ioapic) {
    snprintf(err, errsize, "out of memory");
    machine_free(m);
    return NULL;
  }
  hw_bus_set_ram(m->bus, m->ram, m->ram_size);
  if (!map_devices(m)) {
    snprintf(err, errsize, "internal error: the machine's devices do not fit together");
    machine_free(m);
    return NULL;
  }
  if (!open_disks(m, o, err, errsize) || !load_linux(m, o, err, errsize) ||
      !machine_cpu_new(m, err, errsize)) {
    machine_free(m);
    return NULL;
  }
  return m;
}

void machine_free(Machine *m) {
  if (!m)
    return;
  machine_cpu_free(m);
  hw_bus_free(m->bus); /* the bus has no unmap: it goes before its devices */
  for (unsigned i = 0; i < m->ndisks; i++) {
    virtio_blk_free(m->blk[i]);
    block_close(m->disk[i]);
  }
  machine_unmap_platform(m);
  uart16550_free(m->uart);
  i8254_free(m->pit);
  i8259_free(m->pic);
  ioapic_free(m->ioapic);
  lapic_free(m->lapic);
  hw_clock_free(m->clock);
  term_fini(&m->term);
  if (m->serial_fd > 0)
    close(m->serial_fd);
  if (m->ram)
    munmap(m->ram, m->ram_size);
  free(m);
}
