/* File I/O: create, write, seek, read back, stat, directory listing, rename, unlink. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
  char dir[] = "/tmp/emu-fileio-XXXXXX";
  if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
  char path[256], path2[256];
  snprintf(path, sizeof path, "%s/data.txt", dir);
  snprintf(path2, sizeof path2, "%s/renamed.txt", dir);
  FILE *f = fopen(path, "w");
  for (int i = 0; i < 1000; i++) fprintf(f, "line %d %x\n", i, i * i);
  fclose(f);
  struct stat st;
  stat(path, &st);
  printf("size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
  int fd = open(path, O_RDONLY);
  char buf[64];
  lseek(fd, 5000, SEEK_SET);
  ssize_t n = read(fd, buf, 20);
  buf[n] = 0;
  printf("at 5000: %zd [%s]\n", n, buf);
  close(fd);
  f = fopen(path, "r");
  char line[128];
  long sum = 0;
  while (fgets(line, sizeof line, f)) sum += (long)strlen(line);
  fclose(f);
  printf("chars %ld\n", sum);
  rename(path, path2);
  DIR *d = opendir(dir);
  struct dirent *e;
  int count = 0;
  while ((e = readdir(d))) if (e->d_name[0] != '.') { printf("entry %s\n", e->d_name); count++; }
  closedir(d);
  printf("access %d %d\n", access(path, F_OK), access(path2, R_OK));
  unlink(path2);
  rmdir(dir);
  printf("entries %d gone %d\n", count, access(dir, F_OK));
  return 0;
}
