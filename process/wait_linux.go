//go:build linux

package process

import (
	"syscall"
	"unsafe"
)

// pPID is waitid's P_PID id type on Linux.
const pPID = 1

// waitExited blocks until the process pid has exited, without reaping it:
// waitid with WNOWAIT. The process stays a zombie, so its pid, which is also
// the id of its process group, cannot be reused until it is reaped. That
// lets the manager signal the group right up to the reap, and never after.
func waitExited(pid int) error {
	var info [16]uint64 // a siginfo_t, 128 bytes
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid),
			uintptr(unsafe.Pointer(&info[0])), syscall.WEXITED|syscall.WNOWAIT, 0, 0)
		switch errno {
		case 0:
			return nil
		case syscall.EINTR:
			continue
		default:
			return errno
		}
	}
}
