/* iov.h — scatter lists (struct iovec arrays) as one byte stream: a device
 * reads a request header out of whatever buffers the driver chose, writes a
 * status byte at the end, or hands a sub-range to the block layer. */
#ifndef EMU_HW_IOV_H
#define EMU_HW_IOV_H

#include <stddef.h>
#include <sys/uio.h>

size_t iov_size(const struct iovec *iov, unsigned n);
/* Copy up to len bytes at stream offset off out of / into the list; returns
 * how many were copied (fewer when the list ends first). */
size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off, const void *buf, size_t len);
/* The entries covering stream bytes [off, off+len) (clipped to the list),
 * written to out (room for max); returns their count. */
unsigned iov_slice(const struct iovec *iov, unsigned n, size_t off, size_t len, struct iovec *out,
                   unsigned max);

#endif
