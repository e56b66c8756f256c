/*
 * The rich-text editor (django-prose-editor) in Chinese when the desk is:
 * its dialogs ask window.gettext, which Django's admin catalogue answers
 * without these strings; its toolbar titles are fixed English words.
 * Loaded as a plain script (not deferred), so window.gettext is wrapped
 * before the editor's module reads it.
 */
"use strict";
(function () {
  if (!(document.documentElement.lang || "").toLowerCase().startsWith("zh")) return;
  const ZH = {
    // Dialogs and menus (window.gettext).
    "Add caption": "添加图注", "Alternative Text": "替代文字", "Browse...": "浏览…",
    "Bullets": "项目符号", "Cancel": "取消", "Caption": "图注", "Columns": "列数",
    "Decimal numbers": "数字", "Edit Figure": "编辑图片", "Edit HTML": "编辑 HTML",
    "Edit Image": "编辑图片", "Edit Link": "编辑链接", "Image URL": "图片网址",
    "Include header row": "包含表头行", "Insert Figure": "插入图片", "Insert Table": "插入表格",
    "Insert": "插入", "List properties": "列表属性", "List type": "列表类型",
    "Lowercase Roman numerals": "小写罗马数字", "Lowercase letters": "小写字母",
    "Open in new window": "在新窗口打开", "Prettify": "整理格式", "Remove caption": "删除图注",
    "Rows": "行数", "Start at": "起始编号", "Table Properties": "表格属性",
    "The HTML contents of the editor. Note that the allowed HTML is restricted by the editor schema.":
      "编辑器中的 HTML。注意:允许的 HTML 受编辑器规则限制。",
    "Title": "标题", "Toggle fullscreen": "切换全屏", "URL": "网址", "Update": "更新",
    "Uppercase Roman numerals": "大写罗马数字", "Uppercase letters": "大写字母",
    // Toolbar titles (fixed words in the editor).
    "Code block": "代码块", "Code": "代码", "blockquote": "引用", "bold": "加粗",
    "edit HTML": "编辑 HTML", "figure": "图片", "horizontal rule": "分隔线",
    "insert link": "插入链接", "italic": "斜体", "ordered list": "编号列表",
    "paragraph": "段落", "redo": "重做", "remove link": "删除链接", "strike": "删除线",
    "subscript": "下标", "superscript": "上标", "underline": "下划线", "undo": "撤销",
    "unordered list": "项目列表", "heading 2": "二级标题", "heading 3": "三级标题",
    "heading 4": "四级标题", "HTML": "HTML", "Styles": "样式",
    "left": "左对齐", "center": "居中", "right": "右对齐", "justify": "两端对齐",
    "image from the library": "从图库插入图片", "special characters": "特殊字符",
  };
  const base = window.gettext || ((text) => text);
  window.gettext = (text) => ZH[text] || base(text);
  window.deskTranslations = ZH; // for the browser test

  // Option labels in the block-type picker (text, not attributes).
  const TEXT = { "Heading 2": "二级标题", "Heading 3": "三级标题", "Heading 4": "四级标题",
    "Paragraph": "段落" };

  function translate(root) {
    for (const element of root.querySelectorAll("[title], [aria-label]")) {
      for (const name of ["title", "aria-label"]) {
        const value = element.getAttribute(name);
        if (value && ZH[value]) element.setAttribute(name, ZH[value]);
      }
    }
    for (const option of root.querySelectorAll(".prose-menubar__option > *")) {
      if (TEXT[option.textContent]) option.textContent = TEXT[option.textContent];
    }
  }
  // The toolbar is built when each editor starts (and its dialogs when they
  // open): translate what is added inside an editor, as it is added.
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === 1 && (node.closest(".prose-editor") || node.querySelector(".prose-editor"))) {
          translate(node.closest(".prose-editor") || node);
        }
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
