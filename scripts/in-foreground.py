#!/usr/bin/env python3
"""Runs a command as the terminal's foreground job, in a process group of its own:

    scripts/in-foreground.py scripts/run-local.sh

Ctrl-C at the terminal is sent to the foreground process group. Under `make run`, make is in that
group too: it dies of the SIGINT whatever the command does (the shell then sees 130, and make
reports an error when the command's own status is not 0). Here the command's group alone is the
foreground while it runs, so Ctrl-C reaches it (and everything it started) but not make, and
`make run` ends with the command's status: 0 after a clean stop. Without a terminal (CI, a script),
or when not in the foreground, the command is simply run."""
import os
import signal
import subprocess
import sys

command = sys.argv[1:]
try:
    tty = os.open("/dev/tty", os.O_RDWR)
    in_foreground = os.tcgetpgrp(tty) == os.getpgrp()
except OSError:
    tty, in_foreground = None, False
if not in_foreground:
    os.execvp(command[0], command)


def take_terminal():
    """In the child, before the command starts: its own group, the terminal's foreground one."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # a background group may not otherwise
    os.tcsetpgrp(tty, os.getpgrp())
    signal.signal(signal.SIGTTOU, signal.SIG_DFL)


child = subprocess.Popen(command, preexec_fn=take_terminal)
while True:
    try:
        status = child.wait()
        break
    except KeyboardInterrupt:  # a Ctrl-C that arrived before the child took the terminal
        continue
signal.signal(signal.SIGTTOU, signal.SIG_IGN)
os.tcsetpgrp(tty, os.getpgrp())  # the terminal back to make's group
sys.exit(128 - status if status < 0 else status)
