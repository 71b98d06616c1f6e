// Package plot draws velo's figures: cells on an embedding coloured by a
// cluster or a value, velocity streamlines and grid arrows over them, and
// phase portraits of single genes with their steady-state fit.
//
// The package only draws. Everything it shows is computed elsewhere — grid
// vectors and streamlines by package grid, fits by package velocity — and
// handed in, so a figure is a pure function of its inputs: the same input
// gives the same SVG bytes.
//
// Every plotting function returns an *Image, which Save writes as PNG or SVG
// according to the file name, replacing the file atomically.
package plot
