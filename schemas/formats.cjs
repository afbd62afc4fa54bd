// The formats ESO's CRD schemas use, checked as the API server checks them. The CRD API's `format` documentation
// (k8s.io/apiextensions-apiserver, pkg/apis/apiextensions/v1/types_jsonschema.go, JSONSchemaProps.Format) lists the
// formats it validates, among them `byte` (base64) and `date-time` (RFC 3339); "unknown formats are ignored", which
// is what `int32` and `int64` are there. The generated validators in eso-2.9.0/ require this file.
"use strict";

module.exports = {
    byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
    "date-time": /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/,
    int32: true,
    int64: true,
};
