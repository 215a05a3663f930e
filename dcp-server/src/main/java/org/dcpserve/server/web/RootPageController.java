package org.dcpserve.server.web;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * GET / is the playground page. POST / is TGI's generate route, and a mapping for one method of a path hides
 * the static welcome page from the others (GET / would be a 405), so the page is mapped here too.
 */
@Controller
@Hidden
class RootPageController {

    @GetMapping("/")
    String playground() {
        return "forward:/index.html";
    }
}
