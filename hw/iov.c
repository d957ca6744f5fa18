/* iov.c — scatter lists as byte streams (iov.h). */
#include "iov.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

size_t iov_size(const struct iovec *iov, unsigned n) {
  size_t len = 0;
  for (unsigned i = 0; i < n; i++)
    len += iov[i].iov_len;
  return len;
}

/* The entry holding stream offset *off (n if past the end); *off becomes the
 * offset inside it. */
static unsigned iov_seek(const struct iovec *iov, unsigned n, size_t *off) {
  unsigned i = 0;
  while (i < n && *off >= iov[i].iov_len)
    *off -= iov[i++].iov_len;
  return i;
}

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

unsigned iov_slice(const struct iovec *iov, unsigned n, size_t off, size_t len, struct iovec *out,
                   unsigned max) {
  unsigned k = 0;
  for (unsigned i = iov_seek(iov, n, &off); i < n && len && k < max; i++, off = 0) {
    size_t take = min_size(iov[i].iov_len - off, len);
    out[k++] = (struct iovec){(uint8_t *)iov[i].iov_base + off, take};
    len -= take;
  }
  return k;
}

static size_t iov_copy(const struct iovec *iov, unsigned n, size_t off, uint8_t *buf, size_t len,
                       bool to_iov) {
  size_t done = 0;
  for (unsigned i = iov_seek(iov, n, &off); i < n && done < len; i++, off = 0) {
    size_t take = min_size(iov[i].iov_len - off, len - done);
    uint8_t *p = (uint8_t *)iov[i].iov_base + off;
    memcpy(to_iov ? p : buf + done, to_iov ? buf + done : p, take);
    done += take;
  }
  return done;
}

size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len) {
  return iov_copy(iov, n, off, buf, len, false);
}

size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off, const void *buf, size_t len) {
  return iov_copy(iov, n, off, (uint8_t *)buf, len, true);
}
