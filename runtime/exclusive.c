/* exclusive.c — exclusive sections: one thread stops every cpu of an engine at
 * a safe point, outside generated code and the dispatcher (which hold Tb
 * pointers), to flush the code cache; QEMU's start_exclusive/end_exclusive.
 *
 * A cpu is "running" from emu_exec's entry to its return; a runner busy in a
 * (blocking) syscall is not, so it never delays a section. The requester counts
 * the running cpus, kicks them (exit_request: they leave at the next block
 * entry) and waits until each has left emu_exec; cpus entering emu_exec in the
 * meantime wait for the section to end. Entry and exit cost one fenced store
 * and one load when no section is pending: `running` and `excl_pending` are
 * each stored then the other read (seq_cst), so at least one side sees the
 * other and takes the locked path. */
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"

void excl_init(EmuEngine *e) {
  pthread_cond_init(&e->excl_stopped, NULL);
  pthread_cond_init(&e->excl_resume, NULL);
  e->excl_pending = 0;
}

static int pending(EmuEngine *e) { return __atomic_load_n(&e->excl_pending, __ATOMIC_SEQ_CST); }

static void set_running(EmuCpu *cpu, int v) {
  __atomic_store_n(&cpu->rt.running, v, __ATOMIC_SEQ_CST);
}

void excl_cpu_enter(EmuCpu *cpu) {
  EmuEngine *e = cpu->rt.engine;
  set_running(cpu, 1);
  if (!pending(e))
    return;
  pthread_mutex_lock(&e->lock);
  if (!cpu->rt.has_waiter) {
    /* Not counted by the requester: stay out until its section ends. Counted
     * cpus go on; their kick makes them leave at once. */
    set_running(cpu, 0);
    while (e->excl_pending)
      pthread_cond_wait(&e->excl_resume, &e->lock);
    set_running(cpu, 1);
  }
  pthread_mutex_unlock(&e->lock);
}

void excl_cpu_leave(EmuCpu *cpu) {
  EmuEngine *e = cpu->rt.engine;
  set_running(cpu, 0);
  if (!pending(e))
    return;
  pthread_mutex_lock(&e->lock);
  if (cpu->rt.has_waiter) {
    cpu->rt.has_waiter = false;
    if (--e->excl_pending == 1)
      pthread_cond_signal(&e->excl_stopped);
  }
  pthread_mutex_unlock(&e->lock);
}

void emu_exclusive_start(EmuEngine *e) {
  EmuCpu *self = emu_cpu_current();
  if (self && self->rt.engine == e && __atomic_load_n(&self->rt.running, __ATOMIC_SEQ_CST)) {
    fprintf(stderr, "emu: internal error: exclusive section requested inside emu_exec\n");
    abort();
  }
  pthread_mutex_lock(&e->lock);
  while (e->excl_pending) /* another section first */
    pthread_cond_wait(&e->excl_resume, &e->lock);
  __atomic_store_n(&e->excl_pending, 1, __ATOMIC_SEQ_CST);
  int n = 1;
  for (uint32_t i = 0; i < e->ncpus; i++) {
    EmuCpu *c = e->cpus[i];
    if (__atomic_load_n(&c->rt.running, __ATOMIC_SEQ_CST)) {
      c->rt.has_waiter = true;
      emu_cpu_kick(c);
      n++;
    }
  }
  __atomic_store_n(&e->excl_pending, n, __ATOMIC_SEQ_CST);
  while (e->excl_pending > 1)
    pthread_cond_wait(&e->excl_stopped, &e->lock);
  pthread_mutex_unlock(&e->lock);
}

void emu_exclusive_end(EmuEngine *e) {
  pthread_mutex_lock(&e->lock);
  __atomic_store_n(&e->excl_pending, 0, __ATOMIC_SEQ_CST);
  pthread_cond_broadcast(&e->excl_resume);
  pthread_mutex_unlock(&e->lock);
}
