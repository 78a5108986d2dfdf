# completions/ktop.bash: bash completion for ktop. The options come from `ktop --help`
# (the one option table), theme and container names from ktop itself (--list-themes,
# --list-containers: the discovery -c uses), so this file names no option or theme.
# shellcheck shell=bash

_ktop()
{
	local cur prev words cword split
	_init_completion -s || return

	case $prev in
	-w | --write | -r | --read | --config | --log | --web-config)
		_filedir
		return
		;;
	--theme)
		mapfile -t COMPREPLY < <(compgen -W "$("$1" --list-themes 2>/dev/null)" -- "$cur")
		return
		;;
	-c | --container)
		# names first; an id or its prefix is accepted too
		mapfile -t COMPREPLY < <(compgen -W "$("$1" --list-containers 2>/dev/null |
			cut -f1)" -- "$cur")
		return
		;;
	--format)
		mapfile -t COMPREPLY < <(compgen -W "text json prometheus openmetrics" -- "$cur")
		return
		;;
	-d | --delay | -n | --frames | --listen | --record-max-size | --record-max-age | \
		--record-keep)
		return # a value the user must choose
		;;
	esac
	$split && return

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_parse_help "$1")" -- "$cur")
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
	fi
} &&
	complete -F _ktop ktop
