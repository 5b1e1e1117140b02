{{/* The control namespace: the value, else the release namespace. */}}
{{- define "gitward.namespace" -}}
{{- .Values.namespace | default .Release.Namespace -}}
{{- end -}}

{{/* Names of the settings objects: gitward-* or, in argoproj.io mode, argocd-* (as the code's settingsNames). */}}
{{- define "gitward.settingsPrefix" -}}
{{- if eq .Values.apiGroup "argoproj.io" -}}argocd{{- else -}}gitward{{- end -}}
{{- end -}}

{{/* A cluster-scoped name: namePrefix + name. */}}
{{- define "gitward.clusterName" -}}
{{- printf "%s%s" .root.Values.namePrefix .name -}}
{{- end -}}

{{- define "gitward.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* Labels of every object; `component` is the process (controller, server) or absent. */}}
{{- define "gitward.labels" -}}
app.kubernetes.io/part-of: gitward
{{- with .component }}
app.kubernetes.io/name: gitward-{{ . }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{- define "gitward.selector" -}}
app.kubernetes.io/name: gitward-{{ . }}
{{- end -}}

{{/* The namespaces the Roles of a namespace-scoped install are made in: the control one first. */}}
{{- define "gitward.managedNamespaces" -}}
{{- $ns := include "gitward.namespace" . -}}
{{- $list := list $ns -}}
{{- range .Values.namespaces }}{{- if ne . $ns }}{{- $list = append $list . -}}{{- end }}{{- end -}}
{{- toJson $list -}}
{{- end -}}
