//! A container's command line as words with their JSON pointers, and flag values read
//! from it: shared by the rules that read a sidecar's own settings.

use super::{Message, Pod};
use crate::config::{self, Config, Problem};
use crate::sidecars::roles::ContainerRef;

/// Every word of `command` then `args`, with its pointer suffix (`/args/2`). A word that
/// holds a shell command line (`sh -c "envoy -c /etc/envoy.yaml"`) is also split at white
/// space, each part under the same pointer, so flags inside it are found too. Values of the
/// environment variables named in `env_args` (Fluentd's `FLUENTD_ARGS`) are read likewise.
pub(crate) fn words(c: &ContainerRef<'_>, env_args: &[&str]) -> Vec<(String, String)> {
    let mut words = Vec::new();
    let mut push = |suffix: String, text: &str| {
        if text.split_whitespace().nth(1).is_some() {
            for part in text.split_whitespace() {
                words.push((suffix.clone(), part.to_string()));
            }
        } else {
            words.push((suffix, text.to_string()));
        }
    };
    for (field, list) in [
        ("command", &c.container.command),
        ("args", &c.container.args),
    ] {
        for (i, word) in list.iter().flatten().enumerate() {
            push(format!("/{field}/{i}"), word);
        }
    }
    for (i, var) in c.container.env.iter().flatten().enumerate() {
        if let Some(value) = var
            .value
            .as_deref()
            .filter(|_| env_args.contains(&var.name.as_str()))
        {
            push(format!("/env/{i}/value"), value);
        }
    }
    words
}

/// Each value of one of `flags`, written `--flag=value` or `--flag value`: (pointer
/// suffix, the words as written, the value).
pub(crate) fn flag_values<'w>(
    words: &'w [(String, String)],
    flags: &[&str],
) -> Vec<(&'w str, String, String)> {
    let mut found = Vec::new();
    let mut rest = words.iter().peekable();
    while let Some((suffix, word)) = rest.next() {
        for flag in flags {
            if let Some(value) = word.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                found.push((suffix.as_str(), word.clone(), value.to_string()));
            } else if word == flag {
                if let Some((_, value)) = rest.peek() {
                    found.push((
                        suffix.as_str(),
                        format!("{word} {value}"),
                        value.to_string(),
                    ));
                    rest.next();
                }
            }
        }
    }
    found
}

/// The catalogued product's config, when its reader finds it among the files the
/// container's ConfigMaps (of the input) provide: the main file is the first absolute
/// path given to one of the product's config flags, else its default path when the
/// manifest leaves the image's own command alone.
pub(crate) fn product_config(pod: &Pod<'_>, c: &ContainerRef<'_>) -> Option<Config> {
    let product = c.product?;
    let reader = product.config_reader?;
    let spec = product.config_file.as_ref()?;
    let words = words(c, spec.env_args);
    let path = flag_values(&words, spec.flags)
        .into_iter()
        .map(|(_, _, value)| value)
        .find(|v| v.starts_with('/'))
        .or_else(|| {
            c.container
                .command
                .is_none()
                .then(|| spec.default_path.map(str::to_string))
                .flatten()
        })?;
    let files = pod
        .context
        .files(pod.origin, pod.spec, pod.namespace, c.container);
    if files.is_empty() {
        return None;
    }
    config::read(reader, &path, &files)
}

/// Config the product's reader could not parse: a warning (never a denial) that names
/// the ConfigMap, key and line, on the mount that provides it.
pub(crate) fn unreadable_config(c: &ContainerRef<'_>, problem: &Problem, what: &str) -> Message {
    Message::warn(
        format!(
            "{} has config that cannot be read ({})",
            c.description(),
            problem.at
        ),
        format!(
            "{}: fix it so that the product reads it too; until then {what} is unknown",
            problem.message
        ),
    )
    .at(format!("/volumeMounts/{}", problem.at.mount))
    .advice_only()
}
