import { useEffect, useId, useState, type KeyboardEvent } from "react";
import {
  EDITORIAL_PAGE_SIZE,
  useEditorialSearch,
  type EditorialCabinetOption,
} from "../../api/applicant";

export interface EditorialChoice {
  id: string;
  name: string;
}

const SEARCH_DELAY_MS = 250;

function useDebounced(value: string, delayMs: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

/**
 * The searchable «Редакция» selector: an ARIA 1.2 combobox whose options
 * come from the server search, a page at a time, so that it stays fast with
 * thousands of editorial cabinets in a region.
 */
export function EditorialCombobox({
  id,
  organizationOid,
  region,
  regionName,
  type,
  typeName,
  value,
  onChange,
  onBlur,
  invalid,
  describedBy,
}: {
  id: string;
  organizationOid: string;
  region: string;
  regionName: string | undefined;
  type: string;
  typeName: string | undefined;
  value: EditorialChoice | null;
  onChange: (choice: EditorialChoice | null) => void;
  onBlur: () => void;
  invalid: boolean;
  describedBy: string | undefined;
}) {
  const listId = useId();
  const statusId = useId();
  const [text, setText] = useState(value?.name ?? "");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const ready = region !== "" && type !== "";
  // While a cabinet is chosen its name is in the box: list all, not that name.
  const query = useDebounced(value ? "" : text.trim(), SEARCH_DELAY_MS);
  const search = useEditorialSearch({
    organizationOid,
    region,
    type,
    text: query,
    enabled: ready,
  });

  useEffect(() => {
    setText(value?.name ?? "");
  }, [value?.id, value?.name]);

  const items: EditorialCabinetOption[] = search.data?.items ?? [];
  const rule = search.data?.rule;

  const choose = (option: EditorialCabinetOption) => {
    onChange({ id: option.id, name: option.name });
    setText(option.name);
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setOpen(true);
      setActive((index) => Math.min(index + 1, items.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive((index) => Math.max(index - 1, 0));
    } else if (event.key === "Enter" && open && active >= 0 && items[active]) {
      event.preventDefault();
      choose(items[active]);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      setOpen(false);
      setActive(-1);
      setText(value?.name ?? text);
    }
  };

  let status = "";
  if (!ready) {
    status = "Сначала выберите регион и тип кабинета.";
  } else if (search.isError) {
    status =
      "Не удалось загрузить список редакций: проверьте подключение и попробуйте ещё раз.";
  } else if (search.isFetching && !search.data) {
    status = "Ищем редакции…";
  } else if (items.length === 0 && query === "" && rule === "own") {
    status = `Для типа «${typeName ?? ""}» рабочий кабинет привязывается к кабинету редакции вашей организации, а его ещё нет: сначала подайте заявку на кабинет редакции (на шаге «Выберите кабинет» выберите «Кабинет редакции»).`;
  } else if (items.length === 0 && query === "") {
    status = `В регионе «${regionName ?? region}» пока нет кабинета редакции ${rule === "omsu" ? "ОМСУ" : "РОИВ"}: орган, в ведении которого находится ваша организация, ещё не создал его. Подать заявку можно будет после этого.`;
  } else if (items.length === 0) {
    status = "Редакций с таким названием нет: измените текст поиска.";
  } else if (search.data?.hasMore) {
    status = `Показаны первые ${EDITORIAL_PAGE_SIZE} редакций: уточните название, чтобы найти нужную.`;
  } else if (open) {
    status = `Найдено редакций: ${items.length}.`;
  }

  const expanded = open && ready && items.length > 0;
  return (
    <div className="combobox">
      <input
        id={id}
        type="text"
        role="combobox"
        className={`input${invalid ? " input--error" : ""}`}
        autoComplete="off"
        placeholder={ready ? "Начните вводить название" : "Выбрать..."}
        // Focusable while unavailable, so that the error summary can move
        // here and the status below names what to choose first.
        readOnly={!ready}
        aria-disabled={!ready || undefined}
        value={text}
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={
          expanded && active >= 0 ? `${listId}-${active}` : undefined
        }
        aria-invalid={invalid || undefined}
        aria-describedby={[describedBy, statusId].filter(Boolean).join(" ")}
        onChange={(event) => {
          setText(event.target.value);
          if (value) onChange(null);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(ready)}
        onClick={() => setOpen(ready)}
        onBlur={() => {
          setOpen(false);
          onBlur();
        }}
        onKeyDown={onKeyDown}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="Редакции"
        className="combobox__list"
        hidden={!expanded}
      >
        {items.map((option, index) => (
          <li
            key={option.id}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={value?.id === option.id}
            className={`combobox__option${index === active ? " combobox__option--active" : ""}`}
            // Keep focus in the box so the choice lands before blur closes the list.
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => choose(option)}
          >
            <span>{option.name}</span>
            <span className="combobox__meta">
              {option.organizationShortName}
            </span>
          </li>
        ))}
      </ul>
      <p id={statusId} className="hint" aria-live="polite">
        {status}
      </p>
    </div>
  );
}
