/* Switch-heavy: a bytecode interpreter loop running a small program. */
#include <stdio.h>
enum { PUSH, ADD, SUB, MUL, DUP, SWAP, JNZ, DEC, POP, HALT, XOR, SHL };
int main(void) {
  /* counter loop: acc = acc * 3 + i, xor-shifted, for i in n..1 */
  static const int prog[] = {PUSH, 0, PUSH, 30000000, /* acc n */
                             SWAP, PUSH, 3, MUL, DUP, PUSH, 7, SHL, XOR, /* acc' n (swapped) */
                             SWAP, DEC, DUP, JNZ, 4, POP, HALT};
  long stack[64];
  int sp = 0, pc = 0;
  for (;;) {
    switch (prog[pc++]) {
    case PUSH: stack[sp++] = prog[pc++]; break;
    case ADD: sp--; stack[sp - 1] += stack[sp]; break;
    case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
    case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
    case XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
    case SHL: sp--; stack[sp - 1] = (long)((unsigned long)stack[sp - 1] << (stack[sp] & 63)); break;
    case DUP: stack[sp] = stack[sp - 1]; sp++; break;
    case SWAP: { long t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; } break;
    case DEC: stack[sp - 1]--; break;
    case POP: sp--; break;
    case JNZ: { int t = prog[pc++]; if (stack[--sp]) pc = t; } break;
    case HALT: printf("%ld\n", stack[sp - 1]); return 0;
    }
  }
}
