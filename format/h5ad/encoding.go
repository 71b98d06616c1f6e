package h5ad

// Attribute names and values of anndata's on-disk element encoding.
const (
	attrType    = "encoding-type"
	attrVersion = "encoding-version"

	encAnnData     = "anndata"
	encArray       = "array"
	encCSR         = "csr_matrix"
	encCSC         = "csc_matrix"
	encDataFrame   = "dataframe"
	encCategorical = "categorical"
	encDict        = "dict"
	encStringArray = "string-array"
	encString      = "string"
	encNumScalar   = "numeric-scalar"
)

// versionOf gives the encoding-version anndata 0.8 writes for each encoding.
var versionOf = map[string]string{
	encAnnData:     "0.1.0",
	encArray:       "0.2.0",
	encCSR:         "0.1.0",
	encDataFrame:   "0.2.0",
	encCategorical: "0.2.0",
	encDict:        "0.1.0",
	encStringArray: "0.2.0",
	encString:      "0.2.0",
	encNumScalar:   "0.2.0",
}

// attributes is what groups and datasets offer for reading attributes.
type attributes interface {
	HasAttr(name string) bool
	AttrString(name string) (string, error)
}

// encodingOf returns an element's encoding-type, or "" when it has none
// (files older than anndata 0.8, or plain h5py content).
func encodingOf(o attributes) string {
	if !o.HasAttr(attrType) {
		return ""
	}
	s, err := o.AttrString(attrType)
	if err != nil {
		return ""
	}
	return s
}

// encodable is what groups and datasets offer for writing attributes.
type encodable interface {
	SetAttrString(name, v string) error
}

// setEncoding writes an element's encoding-type and encoding-version.
func setEncoding(o encodable, enc string) error {
	if err := o.SetAttrString(attrType, enc); err != nil {
		return err
	}
	return o.SetAttrString(attrVersion, versionOf[enc])
}
