package plot

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Format is an output file format.
type Format int

// The formats Save and Encode write.
const (
	PNG Format = iota
	SVG
)

func (f Format) String() string {
	switch f {
	case PNG:
		return "PNG"
	case SVG:
		return "SVG"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// FormatOf picks the format from a file name's extension (.png or .svg,
// any case).
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		return PNG, nil
	case ".svg":
		return SVG, nil
	}
	return 0, fmt.Errorf("plot: cannot tell the image format of %q: want a .png or .svg name", path)
}

// Size is the page a figure is drawn on.
type Size struct {
	// Width and Height are the page size; 0 means the figure's default.
	Width, Height vg.Length
	// DPI is the PNG resolution in dots per inch; 0 means 150.
	DPI int
}

// defaultDPI keeps a 6 × 5 inch figure sharp on screen and in slides.
const defaultDPI = 150

// Image is a figure ready to be written.
type Image struct {
	width, height vg.Length
	dpi           int
	draw          func(draw.Canvas)
}

func newImage(s Size, defW, defH vg.Length, fn func(draw.Canvas)) *Image {
	im := &Image{width: s.Width, height: s.Height, dpi: s.DPI, draw: fn}
	if im.width <= 0 {
		im.width = defW
	}
	if im.height <= 0 {
		im.height = defH
	}
	if im.dpi <= 0 {
		im.dpi = defaultDPI
	}
	return im
}

// Encode writes the figure to w in format f.
func (im *Image) Encode(w io.Writer, f Format) error {
	switch f {
	case PNG:
		c := vgimg.NewWith(vgimg.UseWH(im.width, im.height), vgimg.UseDPI(im.dpi))
		im.draw(draw.New(c))
		_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
		return err
	case SVG:
		c := vgsvg.New(im.width, im.height)
		im.draw(draw.New(c))
		_, err := c.WriteTo(w)
		return err
	}
	return fmt.Errorf("plot: unknown format %v", f)
}

// Save writes the figure to path as PNG or SVG, chosen by the extension.
// The file is written under a temporary name in the same directory and
// renamed into place, so readers never see a partial image.
func (im *Image) Save(path string) error {
	f, err := FormatOf(path)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, func(w io.Writer) error { return im.Encode(w, f) })
}

// WriteFileAtomic creates path with the bytes write produces: it writes a
// temporary file next to path and renames it over path only when write and
// the close succeed, so path holds either its old content or the complete
// new one.
func WriteFileAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	return nil
}
