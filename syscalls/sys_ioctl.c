/* sys_ioctl.c — ioctl: what the argument is depends on the request. Requests
 * built with _IOC carry their direction and size; the older terminal and
 * socket ones are listed here with theirs. An unknown old-style request is
 * refused with ENOTTY (and reported by -d unimp) rather than passed blind: its
 * argument might be a pointer emu cannot check. Struct layouts are the host's
 * (the x86-64 guest shares them). */
#define _GNU_SOURCE
#include <asm/termbits.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include "syscall_raw.h"
#include "sys.h"

enum { IO_NONE, IO_VALUE, IO_READ, IO_WRITE, IO_RW }; /* IO_READ: the kernel reads *arg */

typedef struct IoctlRow {
  uint32_t req;
  const char *name;
  uint8_t how;
  uint16_t size;
} IoctlRow;

#define IFREQ 40 /* struct ifreq */
static const IoctlRow ioctls[] = {
    {TCGETS, "TCGETS", IO_WRITE, sizeof(struct termios)},
    {TCSETS, "TCSETS", IO_READ, sizeof(struct termios)},
    {TCSETSW, "TCSETSW", IO_READ, sizeof(struct termios)},
    {TCSETSF, "TCSETSF", IO_READ, sizeof(struct termios)},
    {TCGETA, "TCGETA", IO_WRITE, sizeof(struct termio)},
    {TCSETA, "TCSETA", IO_READ, sizeof(struct termio)},
    {TCSETAW, "TCSETAW", IO_READ, sizeof(struct termio)},
    {TCSETAF, "TCSETAF", IO_READ, sizeof(struct termio)},
    {TCSBRK, "TCSBRK", IO_VALUE, 0},
    {TCXONC, "TCXONC", IO_VALUE, 0},
    {TCFLSH, "TCFLSH", IO_VALUE, 0},
    {TIOCEXCL, "TIOCEXCL", IO_NONE, 0},
    {TIOCNXCL, "TIOCNXCL", IO_NONE, 0},
    {TIOCSCTTY, "TIOCSCTTY", IO_VALUE, 0},
    {TIOCGPGRP, "TIOCGPGRP", IO_WRITE, 4},
    {TIOCSPGRP, "TIOCSPGRP", IO_READ, 4},
    {TIOCOUTQ, "TIOCOUTQ", IO_WRITE, 4},
    {TIOCSTI, "TIOCSTI", IO_READ, 1},
    {TIOCGWINSZ, "TIOCGWINSZ", IO_WRITE, sizeof(struct winsize)},
    {TIOCSWINSZ, "TIOCSWINSZ", IO_READ, sizeof(struct winsize)},
    {TIOCMGET, "TIOCMGET", IO_WRITE, 4},
    {TIOCMBIS, "TIOCMBIS", IO_READ, 4},
    {TIOCMBIC, "TIOCMBIC", IO_READ, 4},
    {TIOCMSET, "TIOCMSET", IO_READ, 4},
    {FIONREAD, "FIONREAD", IO_WRITE, 4},
    {TIOCNOTTY, "TIOCNOTTY", IO_NONE, 0},
    {TIOCGSID, "TIOCGSID", IO_WRITE, 4},
    {TIOCCONS, "TIOCCONS", IO_NONE, 0},
    {TIOCGPTPEER, "TIOCGPTPEER", IO_VALUE, 0},
    {FIONBIO, "FIONBIO", IO_READ, 4},
    {FIOASYNC, "FIOASYNC", IO_READ, 4},
    {FIONCLEX, "FIONCLEX", IO_NONE, 0},
    {FIOCLEX, "FIOCLEX", IO_NONE, 0},
    {FIGETBSZ, "FIGETBSZ", IO_WRITE, 4},
    {SIOCGIFNAME, "SIOCGIFNAME", IO_RW, IFREQ},
    {SIOCGIFINDEX, "SIOCGIFINDEX", IO_RW, IFREQ},
    {SIOCGIFFLAGS, "SIOCGIFFLAGS", IO_RW, IFREQ},
    {SIOCGIFADDR, "SIOCGIFADDR", IO_RW, IFREQ},
    {SIOCGIFMTU, "SIOCGIFMTU", IO_RW, IFREQ},
    {SIOCGIFHWADDR, "SIOCGIFHWADDR", IO_RW, IFREQ},
    {SIOCATMARK, "SIOCATMARK", IO_WRITE, 4},
};

static const IoctlRow *ioctl_row(uint64_t req) {
  for (size_t i = 0; i < sizeof ioctls / sizeof ioctls[0]; i++)
    if (ioctls[i].req == (uint32_t)req)
      return &ioctls[i];
  return NULL;
}

const char *sys_ioctl_name(uint64_t req) {
  const IoctlRow *r = ioctl_row(req);
  return r ? r->name : NULL;
}

/* Direction and size of a request: from the table, else from its _IOC bits. */
static bool ioctl_shape(uint64_t req, int *how, uint64_t *size) {
  const IoctlRow *r = ioctl_row(req);
  if (r) {
    *how = r->how;
    *size = r->size;
    return true;
  }
  unsigned dir = _IOC_DIR((uint32_t)req);
  *size = _IOC_SIZE((uint32_t)req);
  if (dir == _IOC_NONE || !*size) {
    /* _IO(type, nr): no pointer by convention; old-style requests (type 'T'
     * 0x54, sockets 0x89) without a row are unknown. */
    unsigned type = _IOC_TYPE((uint32_t)req);
    *how = IO_VALUE;
    return type != 0 && type != 0x54 && type != 0x89;
  }
  *how = dir == _IOC_READ ? IO_WRITE : dir == _IOC_WRITE ? IO_READ : IO_RW;
  return true;
}

int64_t sys_ioctl(UserThread *t, const uint64_t a[6]) {
  int how;
  uint64_t size, arg = a[2];
  if (!ioctl_shape(a[1], &how, &size)) {
    if (emu_log_on(EMU_LOG_unimp))
      emu_log("emu: unknown ioctl 0x%" PRIx64 " on fd %d (returns -ENOTTY)\n", a[1], (int)a[0]);
    return -ENOTTY;
  }
  if (how >= IO_READ && arg) {
    void *p = user_ptr(arg, size);
    if (!p)
      return -EFAULT;
    if (how != IO_READ)
      user_smc_release(arg, arg + size);
    arg = (uint64_t)(uintptr_t)p;
  }
  return user_safe_syscall(&t->sig, SYS_ioctl, a[0], a[1], arg, 0, 0, 0); /* TCSETSW waits */
}
