/*
 * The body editor's image button (django-prose-editor extension "LibraryImage").
 *
 * It opens the image library's chooser (the library grid in a popup) and
 * inserts the chosen image as <figure data-image-id="12"></figure>: a
 * reference to the library, never a raw URL. The public page renders the
 * figure from the library (renditions, alt text, caption and credit); in the
 * editor it shows a thumbnail with the caption and credit.
 */
import { Node, mergeAttributes } from "django-prose-editor/editor"

let popupCount = 0

function chooseImage(chooserUrl) {
  return new Promise((resolve) => {
    const name = "id_body_library_image"
    let input = document.getElementById(name)
    if (!input) {
      input = document.createElement("input")
      input.type = "hidden"
      input.id = name
      document.body.append(input)
    }
    input.value = ""
    const $ = window.django && window.django.jQuery
    const done = () => {
      if ($) $(input).off("change.libraryImage")
      if (/^\d+$/.test(input.value)) resolve(input.value)
    }
    // Django's dismissRelatedLookupPopup (RelatedObjectLookups.js) sets the
    // value of the element named after the popup window and triggers "change".
    if ($) $(input).on("change.libraryImage", done)
    const sep = chooserUrl.includes("?") ? "&" : "?"
    popupCount += 1
    const popup = window.open(
      `${chooserUrl}${sep}_popup=1&_to_field=id`,
      `${name}__${popupCount}`,
      "height=600,width=900,resizable=yes,scrollbars=yes",
    )
    popup?.focus()
  })
}

function infoUrl(template, id) {
  return template.replace(/\/0\/info\/$/, `/${id}/info/`)
}

export const LibraryImage = Node.create({
  name: "libraryImage",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addOptions() {
    return { chooserUrl: "/admin/images/image/", infoUrl: "/admin/images/image/0/info/" }
  },

  addAttributes() {
    return {
      imageId: {
        default: null,
        parseHTML: (element) => element.getAttribute("data-image-id"),
        renderHTML: (attributes) => ({ "data-image-id": attributes.imageId }),
      },
    }
  },

  parseHTML() {
    return [{ tag: "figure[data-image-id]", priority: 60 }]
  },

  renderHTML({ HTMLAttributes }) {
    return ["figure", mergeAttributes(HTMLAttributes)]
  },

  addNodeView() {
    const options = this.options
    return ({ node }) => {
      const dom = document.createElement("figure")
      dom.setAttribute("data-image-id", node.attrs.imageId)
      dom.contentEditable = "false"
      const img = document.createElement("img")
      const caption = document.createElement("figcaption")
      caption.textContent = `#${node.attrs.imageId}`
      dom.append(img, caption)
      fetch(infoUrl(options.infoUrl, node.attrs.imageId), { credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : null))
        .then((info) => {
          if (!info) return
          img.src = info.preview || info.thumbnail
          img.alt = info.alt
          caption.textContent = [info.caption || info.title, info.credit].filter(Boolean).join(" · ")
        })
      return { dom }
    }
  },

  addCommands() {
    return {
      insertLibraryImage:
        (imageId) =>
        ({ commands }) =>
          commands.insertContent({ type: this.name, attrs: { imageId: String(imageId) } }),
    }
  },

  addMenuItems({ menu, buttons }) {
    const chooserUrl = this.options.chooserUrl
    menu.defineItem({
      name: "libraryImage",
      groups: "nodes",
      button: buttons.material("image", "image from the library"),
      command(editor) {
        chooseImage(chooserUrl).then((id) => {
          editor.chain().focus().insertLibraryImage(id).run()
        })
      },
    })
  },
})
