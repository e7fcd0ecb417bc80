package com.example.clinic;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

@Controller
public class OwnerController {

    private final OwnerDirectory directory;

    public OwnerController(OwnerDirectory directory) {
        this.directory = directory;
    }

    @GetMapping("/owners/{id}")
    public String show(@PathVariable long id, Model model) {
        model.addAttribute("owner", directory.details(id).orElseThrow(() -> new OwnerNotFoundException(id)));
        return "owners/details";
    }
}
