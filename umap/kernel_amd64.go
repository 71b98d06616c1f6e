//go:build amd64 && !purego

package umap

import "golang.org/x/sys/cpu"

func init() {
	if cpu.X86.HasAVX2 {
		gradKernel = gradKernelSIMD
	}
}

// gradAVX2 runs the kernel on n pairs, n a multiple of 8, with the constants
// laid out by kernelParams.lanes.
//
//go:noescape
func gradAVX2(dx, dy, gx, gy *float32, n int, lanes *[kernelConsts][8]uint32)

// gradKernelSIMD runs the whole groups of eight pairs in assembly and the
// rest with gradKernelGo, which gives the same bits.
func gradKernelSIMD(dx, dy, gx, gy []float32, k *kernelParams) {
	dy, gx, gy = dy[:len(dx)], gx[:len(dx)], gy[:len(dx)]
	n8 := len(dx) &^ 7
	if n8 > 0 {
		gradAVX2(&dx[0], &dy[0], &gx[0], &gy[0], n8, &k.lanes)
	}
	gradKernelGo(dx[n8:], dy[n8:], gx[n8:], gy[n8:], k)
}
