// Command pause is the sandbox ("pause") image of gitward's real local node: the process that
// holds a pod's namespaces. It waits for SIGTERM or SIGINT and, as PID 1 of the pod's PID
// namespace when that is shared, reaps the zombies of the pod's other processes.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	children := make(chan os.Signal, 1)
	signal.Notify(children, syscall.SIGCHLD)
	for {
		select {
		case <-stop:
			return
		case <-children:
			for {
				pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
				if pid <= 0 || err != nil {
					break
				}
			}
		}
	}
}
