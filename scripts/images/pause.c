/* Tutti's pod sandbox ("pause") process: holds the pod's namespaces open, reaps orphaned children
 * (it is PID 1 of the pod when the PID namespace is shared) and exits 0 on SIGTERM or SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig) {
  (void)sig;
  _exit(0);
}

static void on_child(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

static void handle(int sig, void (*fn)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (sigaction(sig, &sa, NULL) < 0) {
    perror("sigaction");
    _exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "-v") == 0) {
    puts("tutti-pause 1.0");
    return 0;
  }
  if (getpid() != 1) fputs("tutti-pause: warning: not running as PID 1\n", stderr);
  handle(SIGINT, on_stop);
  handle(SIGTERM, on_stop);
  handle(SIGCHLD, on_child);
  for (;;) pause();
}
