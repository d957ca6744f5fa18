/* block.h — disk images for the emulated disks (QEMU's block layer, small):
 * open an image, its size, vectored reads and writes at byte offsets, flush.
 * A format is a driver behind a small ops table (block_int.h); raw is the only
 * one today (`-drive file=...,format=raw`, `-hda`). qcow2 is recognised and
 * refused with a clear message rather than exposed as raw bytes.
 *
 * Errors are 0 or -errno. Accesses past the end are refused (-EINVAL): a raw
 * file never grows under the guest. */
#ifndef EMU_HW_BLOCK_H
#define EMU_HW_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define BLOCK_SECTOR_SIZE 512

typedef struct BlockDev BlockDev;

/* Open path as a raw image, read-write unless readonly. The image is locked
 * (an OFD lock: shared when read-only, exclusive otherwise) so a second emulator
 * cannot write it at the same time. NULL with a one-line reason in err when the
 * file is missing, a directory, empty, not a multiple of 512 bytes, a qcow2
 * image, or in use. */
BlockDev *block_open(const char *path, bool readonly, char *err, size_t errsize);
void block_close(BlockDev *bd); /* NULL is fine */

uint64_t block_size(const BlockDev *bd); /* bytes, a multiple of BLOCK_SECTOR_SIZE */
bool block_readonly(const BlockDev *bd);
const char *block_path(const BlockDev *bd);

int block_preadv(BlockDev *bd, uint64_t offset, const struct iovec *iov, int iovcnt);
int block_pwritev(BlockDev *bd, uint64_t offset, const struct iovec *iov, int iovcnt);
int block_pread(BlockDev *bd, uint64_t offset, void *buf, size_t len);
int block_pwrite(BlockDev *bd, uint64_t offset, const void *buf, size_t len);
int block_flush(BlockDev *bd); /* written data reaches the disk (fdatasync) */

#endif
